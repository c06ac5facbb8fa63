package io.ibex.cli;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Every help text of the command line: the overview, the global options, and one page per command. Longer than
 * ~400 lines because it is text, one page per command, kept in one file so that the pages read alike; the only logic
 * is choosing and printing a page.
 */
final class Help {

    /** One line per command for the overview, in the order of {@link Verbs#ALL} (daemon is hidden). */
    static final Map<String, String> SUMMARY = new LinkedHashMap<>();
    /** The page of each command: syntax, options, examples. */
    static final Map<String, String> PAGES = new LinkedHashMap<>();

    static {
        SUMMARY.put("install", "Create the ibex repository (schema \"ibex\") in the repository database");
        SUMMARY.put("upgrade", "Bring the repository to this release's schema version (after installing a new ibex)");
        SUMMARY.put("add", "Add a database, tables, sequences, a relgroup, a dbgroup or a sync");
        SUMMARY.put("list", "List databases, tables, sequences, relgroups, dbgroups, syncs, all, or conflicts");
        SUMMARY.put("update", "Change the settings of a sync, database or table");
        SUMMARY.put("remove", "Remove a sync, database, table, sequence, relgroup or dbgroup");
        SUMMARY.put("start", "Start the ibex daemon in the background");
        SUMMARY.put("stop", "Stop the ibex daemon (the batch in flight finishes first)");
        SUMMARY.put("restart", "Stop, then start the ibex daemon");
        SUMMARY.put("status", "Show the state of all syncs, or the details of some");
        SUMMARY.put("kick", "Run syncs now, optionally waiting for them to finish");
        SUMMARY.put("ping", "Check that the daemon answers (through the repository)");
        SUMMARY.put("activate", "Turn syncs on (update sync NAME status=active)");
        SUMMARY.put("deactivate", "Turn syncs off (update sync NAME status=inactive)");
        SUMMARY.put("pause", "Hold syncs: capture goes on, nothing is applied until resume");
        SUMMARY.put("resume", "Let paused syncs run again and catch up");
        SUMMARY.put("reload", "Make the running daemon re-read syncs and their options now");
        SUMMARY.put("reopen", "Make the running daemon reopen its log file (after logrotate moved it)");
        SUMMARY.put("check", "Health check for Nagios/Icinga: one line, exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN");
        SUMMARY.put("validate", "Check that syncs can run, as the daemon will when it starts them");
        SUMMARY.put("inspect", "Show a table (key, columns, relgroups, syncs) or a sync (databases, tables, options)");
        SUMMARY.put("verify", "Compare a sync's tables between the source and the targets, naming differing rows");
        SUMMARY.put("copy", "Create a sync's tables on targets that lack them, from the source's catalog (or print the SQL)");
        SUMMARY.put("cutover", "Wait until the targets have every change and are identical, to move the application");
        SUMMARY.put("delta", "Show the changes still to deliver, per source database and table");
        SUMMARY.put("purge", "Delete the captured changes every target has received, now");
        SUMMARY.put("ddl", "Run a schema change on a sync's source; each target runs it at its point in the stream");
        SUMMARY.put("set", "Change a global setting (log_level, purge_interval, max_backoff, slice_keys, ...)");
        SUMMARY.put("show", "Show the global settings");
        SUMMARY.put("sql", "Print SQL for an administrator to run (replica_function for managed targets)");
        SUMMARY.put("message", "Write a line of text into the daemon's log");
        SUMMARY.put("demo", "Replicate between two throw-away embedded PostgreSQL servers");
        SUMMARY.put("help", "Show this overview, or the help of one command");
        SUMMARY.put("version", "Print the version of ibex");

        PAGES.put("install", """
                Usage: ibex install [--dbhost H] [--dbport P] [--dbname D] [--dbuser U]

                Creates the ibex repository: the schema "ibex" in the repository database (default "ibex"),
                creating that database first if it is missing and the user may create databases. The
                repository user needs no superuser rights and no PL/Perl. Running it again changes nothing.
                ibex never prompts: the connection comes from the global options, the environment
                (IBEX_DBHOST, IBEX_DBPORT, IBEX_DBNAME, IBEX_DBUSER, IBEX_DBPASS) or an .ibexrc file.

                Prints "Installation is now complete." or
                "The ibex repository is already installed in database "ibex"; nothing changed."
                A repository installed by an older ibex is left as it is, with the advice to run
                'ibex upgrade' (exit code 1).

                Example:
                  ibex install --dbhost 172.31.88.4 --dbuser postgres
                """);
        PAGES.put("upgrade", """
                Usage: ibex upgrade [--dbhost H] [--dbport P] [--dbname D] [--dbuser U]

                Brings a repository installed by an older ibex to this release's schema version, applying
                each missing migration in its own transaction (a failed one changes nothing and says at
                which version the repository stays). Stop the daemon first: upgrade refuses while one runs
                on the repository. Every other command, and the daemon, refuses a repository whose schema
                version differs from this release's, saying what to run.

                Prints "Upgraded the ibex repository in database "ibex" from schema version 1 to 2." or
                "The ibex repository in database "ibex" is up to date (schema version 2); nothing changed."

                Example:
                  ibex stop && ibex upgrade && ibex start
                """);
        PAGES.put("add", """
                Usage:
                  ibex add db NAME dbname=DB [host=H] [port=P] [user=U] [pass=PW] [status=active|inactive]
                               [makedelta=on|off] [replica_function=F] [replica_mode=auto|none] [--force]
                  ibex add table NAME|PATTERN ... [db=DB] [relgroup=R|herd=R]
                  ibex add sequence NAME|PATTERN ... [db=DB] [relgroup=R|herd=R]
                  ibex add all tables [db=DB] [relgroup=R] [-n SCHEMA] [-N SCHEMA] [-t TABLE] [-T TABLE] [pkonly]
                  ibex add all sequences [db=DB] [relgroup=R] [-n SCHEMA] [-N SCHEMA]
                  ibex add relgroup NAME [TABLE ...] [db=DB]
                  ibex add dbgroup NAME DB1:source DB2:target [DB3:fullcopy ...]
                  ibex add sync NAME relgroup=R|tables=T1,T2 dbs=DBGROUP|db=SRC,TGT [option=value ...]
                  ibex add customcode NAME whenrun=MOMENT class=CLASS [sync=S|relation=T] [priority=N]
                  ibex add customcols TABLE "SELECT col1, expr AS col2 ..." [sync=S] [db=TARGET]

                add db: registers a database ibex replicates from or to. Keys: dbname (required), host
                  (dbhost), port (dbport), user (dbuser), pass (dbpass, password; leave it out to use
                  ~/.pgpass), status, makedelta, replica_function, replica_mode (auto: hold off a target's
                  triggers and foreign keys; none: leave them on). ibex connects once to check the
                  settings; --force skips that check.
                add table / add sequence: records tables of database db= (needed when there are several
                  databases) and, with relgroup= (or Bucardo's herd=), puts them into that relgroup,
                  creating it if needed. Names are schema.table or a bare table name (any schema); % and *
                  are wildcards. "add table all" is "add all tables".
                add all tables / add all sequences: every table (sequence) of the database, except
                  pg_catalog, information_schema and ibex's own. Filters, each repeatable, LIKE patterns:
                    -n, --schema S           only schemas matching S
                    -N, --exclude-schema S   leave out schemas matching S
                    -t, --table T            only tables matching T
                    -T, --exclude-table T    leave out tables matching T
                    pkonly                   leave out tables without a primary key or unique index
                add relgroup: a named set of tables, all from one database; members are tables already
                  added, or tables of db= to add now.
                add dbgroup: databases with their roles: source (also s, master, primary), target (t,
                  replica) or fullcopy (f). Without a role the first database is a source, the others targets.
                add sync: replicates a relgroup across a dbgroup. dbs= (or dbgroup=) names a dbgroup, or
                  db=SRC,TGT lists databases (first the source): an existing dbgroup with exactly those
                  members is used, else one named after the sync is created. tables=T1,T2 instead of
                  relgroup= creates a relgroup named after the sync. Adding an active sync installs
                  capture (triggers and the ibex_capture schema) on its source databases.
                  Options (defaults as Bucardo's schema has them):
                    status=active|inactive          active
                    autokick=on|off (ping)          on: changes are replicated as they are committed
                                                    (off for a sync with only fullcopy targets)
                    checktime=INTERVAL              none: also run every 30s, 5 minutes, 1h ...
                    onetimecopy=0|1|2               0: 1 copies every table whole once, 2 only to empty targets
                                                    (with 0, add sync, validate and status warn on stderr about a
                                                    target table that is empty, or far smaller than its source)
                    stayalive=on|off, kidsalive=on|off   on
                    conflict_strategy=latest|skip|abort|custom:CLASS|DB1,DB2   latest
                                                    (multi-source syncs; DB1,DB2: sources in order of precedence)
                    deletemethod=delete|truncate|truncate_cascade          delete
                    analyze_after_copy=on|off       on
                    rebuild_index=0|1|2             0
                    ddl=auto|hold                   auto: a column added on the source is added on the targets;
                                                    hold: its table waits until you add it (see 'ibex help ddl')
                  --db DB and --relgroup R (--herd R) may be given as options instead of db= and relgroup=.
                add customcode: Java code a sync runs at one moment of its runs (Bucardo's customcode).
                  whenrun: before_sync, before_check_rows, before_txn, before_trigger_drop,
                  after_trigger_drop, after_txn, after_sync, exception or conflict. class: a class
                  implementing io.ibex.spi.CustomCode, on IBEX_CLASSPATH. sync= one sync; relation= the
                  syncs of one table; neither: every sync. priority: lower numbers run first (0).
                add customcols: the columns, or expressions over the source's columns, that the targets
                  (db= one target, sync= one sync's) get for a table instead of every column; the key
                  columns must be among them. Apply, copies and verify use the same list.

                Prints, e.g.:
                  Added database "pgdb84"
                  Created the relgroup named "herd_pg84"
                  The following tables or sequences are now part of the relgroup "herd_pg84":
                    public.pgbench_accounts
                  Created dbgroup "pgdb84_to_rds96"
                  Added database "pgdb84" to dbgroup "pgdb84_to_rds96" as source
                  Added sync "sync_pg84_rds96"
                  Using existing dbgroup "pgdb84_to_rds96"

                Examples:
                  ibex add db pgdb84 dbhost=172.31.16.177 dbport=5432 dbname=repdb dbuser=postgres
                  ibex add db rds96 dbhost=pgrds.example.com dbport=5432 dbname=repdb dbuser=postgres dbpass=secret
                  ibex add table pgbench_accounts pgbench_branches pgbench_tellers herd=herd_pg84 db=pgdb84
                  ibex add all tables db=pgdb84 relgroup=herd_pg84 -n public -T 'tmp_%' pkonly
                  ibex add relgroup herd_pg84 public.pgbench_accounts
                  ibex add dbgroup pgdb84_to_rds96 pgdb84:source rds96:target
                  ibex add sync sync_pg84_rds96 relgroup=herd_pg84 db=pgdb84,rds96
                  ibex add sync nightly relgroup=herd_pg84 dbs=pgdb84_to_rds96 autokick=off checktime=1h
                """);
        PAGES.put("list", """
                Usage: ibex list dbs|tables|sequences|relgroups|dbgroups|syncs|all [PATTERN ...]
                       ibex list conflicts [SYNC] [limit=N]
                       ibex list customcode [PATTERN ...]
                       ibex list customcols [PATTERN ...]

                One line per object (a sync also gets a line with its options). A PATTERN is a regular
                expression that may match part of the name, or a wildcard pattern with % or *. Passwords
                are never shown: Conn is the psql command that reaches the database as ibex does.
                Aliases: l, lsit, lit; db, database; herd for relgroup.
                list conflicts: the conflicts of multi-source syncs (of SYNC, or of every sync), newest
                  first, at most limit=N (default 50): when, sync, table, key values, the databases that
                  changed the row, the winner (or "skipped" when neither version was applied) and the
                  conflict strategy. "list all" does not include them.

                Examples:
                  ibex list dbs
                    Database: pgdb84  Status: active  Conn: psql -p 5432 -U postgres -d repdb -h 172.31.16.177
                  ibex list tables 'pgbench_%'
                    Table: public.pgbench_accounts  DB: pgdb84  PK: aid (integer)
                  ibex list relgroups
                    Relgroup: herd_pg84  DB: pgdb84  Members: public.pgbench_accounts, public.pgbench_branches
                  ibex list dbgroups
                    Dbgroup: pgdb84_to_rds96  Members: pgdb84:source rds96:target
                  ibex list syncs
                    Sync: sync_pg84_rds96  Relgroup: herd_pg84  DB group: pgdb84_to_rds96  [Active]
                  ibex list all
                  ibex list conflicts sync_ab limit=10
                    Conflict: 2024-05-01 10:00:00  Sync: sync_ab  Table: public.t  Key: 42  DBs: a,b  Winner: b  Strategy: latest
                """);
        PAGES.put("update", """
                Usage:
                  ibex update sync NAME [NAME ...] key=value ... | active | inactive
                  ibex update db NAME key=value ...
                  ibex update table NAME [db=DB] key=value ...
                  ibex update customcode NAME whenrun=|class=|sync=|relation=|priority= ...

                update sync: status, autokick, checktime, onetimecopy, stayalive, kidsalive,
                  conflict_strategy, deletemethod, analyze_after_copy, rebuild_index (see 'ibex help add'),
                  ddl=auto|hold (auto, the default: a column added on the source is added on the
                  targets by the daemon; hold: the table is held until you add it; see 'ibex help ddl').
                  daemon=NAME pins the sync to that daemon: only it runs the sync (it moves there at the
                  next lease round, and waits while that daemon is not running); daemon= unpins it.
                  Activating a sync installs capture on its sources.
                update db: dbname, host, port, user, pass (pass= with no value forgets it), status,
                  makedelta, replica_function, replica_mode. New connection settings are tried first, as
                  add db does (--force stores them untried); the daemon reconnects on the next run.
                  status=inactive: the database is skipped as source and as target; its changes wait
                  and follow when it is active again.
                update table (or sequence): autokick, makedelta, rebuild_index, analyze_after_copy; db=DB
                  says which table when tables of that name were added from several databases.
                A running daemon is told at once: a kick sent after the update runs with it.
                Prints: Updated sync "NAME"

                Examples:
                  ibex update sync sync_pg84_rds96 checktime=5m onetimecopy=1
                  ibex update sync sync_pg84_rds96 inactive
                  ibex update sync sync_pg84_rds96 daemon=host2
                  ibex update db rds96 dbpass=newsecret
                """);
        PAGES.put("remove", """
                Usage: ibex remove sync|db|table|sequence|relgroup|dbgroup NAME [NAME ...] [db=DB] [--force]
                       ibex remove customcode NAME [NAME ...]
                       ibex remove customcols ID [ID ...]

                Removes the objects. Removing a sync also removes the capture (triggers and change
                tables) that no other sync needs from its sources. An object used by others is removed
                only with --force, which removes those too (a database with its tables, groups and
                syncs). db=DB (tables and sequences) says which one when tables of that name were added
                from several databases. Aliases: delete, del.
                Prints: Removed sync "NAME"

                Examples:
                  ibex remove sync sync_pg84_rds96
                  ibex remove db rds96 --force
                """);
        PAGES.put("start", """
                Usage: ibex start [daemon=NAME] ["reason"] [--piddir DIR] [--logdir DIR] [--log-level terse|normal|verbose|debug]

                Starts the daemon in the background: it runs the active syncs whose lease it holds, and
                keeps doing so until 'ibex stop'. The daemon registers in the repository (name, host, pid,
                version) and renews a heartbeat there every 2 s. daemon=NAME names the daemon (default:
                the host's name). Refuses when the repository shows a daemon of the same name alive, from
                any host or pid directory; a killed daemon (even a zombie) never blocks a start. Daemons
                of other names join: each sync is run by one daemon at a time under a lease in the
                repository, the syncs are spread over the live daemons, and a daemon that dies or freezes
                has its syncs taken over within lease_seconds and a third (see 'ibex help set'); on one
                host give each daemon its own name and --piddir. Removes a stale pid file (piddir/ibex.pid,
                default ~/.ibex/run). The log is logdir/log.ibex (default ~/.ibex/log).
                The repository password is handed over in the environment, never on the command line.
                The reason, if given, is written to the log. Alias: strt.

                Example:
                  ibex start "after the maintenance window"
                  Checking for existing processes
                  Starting ibex
                  ibex started (pid 15337), log: /home/postgres/.ibex/log/log.ibex
                """);
        PAGES.put("stop", """
                Usage: ibex stop [daemon=NAME] ["reason"] [--piddir DIR]

                Asks every daemon of this repository to stop, through the repository, wherever it runs
                and whatever its pid directory, and waits until it has deregistered: each sync finishes
                (or rolls back) the batch in flight. daemon=NAME stops that daemon only; its leases are
                given back and the other daemons take its syncs within lease_seconds/3. Prints "ibex is
                not running" if there is no daemon. The reason goes into the daemon's log. When the repository
                cannot be read (unreachable, not yet upgraded), the pid file is used instead.

                Example:
                  ibex stop "upgrading"
                  Stopping ibex (pid 15337)
                  ibex stopped
                """);
        PAGES.put("restart", """
                Usage: ibex restart [daemon=NAME] ["reason"] [start options]

                ibex stop, then ibex start (see 'ibex help start'): the daemon is stopped wherever it
                runs, and started again here. Needed after changing the daemon's own settings (log
                level, directories); sync changes are picked up without a restart.

                Example:
                  ibex restart "new log level" --log-level verbose
                """);
        PAGES.put("status", """
                Usage: ibex status [SYNC ...|all]

                Without names: the daemon's pid (or "ibex is not running"), a line per daemon registered
                  in this repository (name, pid, host, version, start, heartbeat; STALE when it has not
                  renewed its heartbeat for 10 s, or its repository session is gone), then one row per sync:
                  Name, State (Good, Bad, No records found, Inactive, or what a run is doing now),
                  Last good (end of the last good run) and Time (since then), Last I/D (rows inserted /
                  deleted by the last run that moved rows, then /conflicts when there were any: I/D/C as
                  in Bucardo), Last bad and Time.
                With sync names (or all): the details of each sync between lines of = signs: Last good
                  (with the time to run), Rows deleted/inserted, Last bad (with the time until it failed),
                  Sync name, Current state, Source relgroup/database, Tables in sync, Status, Check time,
                  Overdue time, Expired time, Stayalive/Kidsalive, Rebuild index, Autokick, Onetimecopy,
                  Post-copy analyze, Backlog (changes each target has still to receive), Replica mode (one
                  line per receiving database: how it holds off triggers and foreign keys while ibex
                  applies changes, as validate finds it), Inactive databases (skipped; only when any),
                  Last error (with its time; "(good runs since)" once a later run succeeded). The
                  state says "(skipping inactive DB)" too. Rows deleted/inserted ends with
                  / truncates N and / conflicts N when the run had any.

                Example:
                  ibex status sync_pg84_rds96
                  ======================================================================
                  Last good                : Dec 05, 2019 08:51:21 (time to run: 1s)
                  Rows deleted/inserted    : 294 / 294
                  Sync name                : sync_pg84_rds96
                  Current state            : Good
                  Source relgroup/database : herd_pg84 / pgdb84
                  Tables in sync           : 3
                  Status                   : Active
                  ...
                  Backlog                  : rds96: 0 changes
                  Replica mode             : rds96: SET session_replication_role
                  Last error:              :
                  ======================================================================
                """);
        PAGES.put("kick", """
                Usage: ibex kick SYNC [SYNC ...|all] [TIMEOUT]

                Asks the daemon to run the syncs now. Without TIMEOUT it returns at once ("Kicked sync S").
                With TIMEOUT (seconds; 0 waits as long as it takes) it waits for each run to end, showing
                the seconds waited: "Kick S: [3 s] DONE!", "TIMEOUT", or "FAILED: " with each failed
                target's error. It waits for runs that began after the kick, with every change committed
                before it. Databases with status=inactive are skipped and named: "DONE! (skipped: ...)".
                Exit code: 0 done, 1 timed out, 2 failed. Inactive syncs cannot be kicked.

                Examples:
                  ibex kick sync_pg84_rds96
                  ibex kick sync_pg84_rds96 0
                  Kick sync_pg84_rds96: [1 s] DONE!
                """);
        PAGES.put("activate", """
                Usage: ibex activate SYNC [SYNC ...]|all

                Sets the syncs active (as 'ibex update sync SYNC status=active'), installing capture on their
                sources; a running daemon starts them within seconds. A sync that holds tables after a schema
                change (see 'ibex help ddl') has each compared again: the ones whose columns now agree are
                released by the daemon at once, with their changes since the hold.
                Prints: Activated sync "SYNC", then one line per held table:
                  Released public.t for target: its columns agree again; ...  (or: Still held public.t ...: why)

                Example:
                  ibex activate sync_pg84_rds96
                """);
        PAGES.put("deactivate", """
                Usage: ibex deactivate SYNC [SYNC ...]|all

                Sets the syncs inactive (as 'ibex update sync SYNC status=inactive'); the daemon stops them.
                Capture stays installed, so the changes made meanwhile are replicated after 'ibex activate'.
                Prints: Deactivated sync "SYNC"

                Example:
                  ibex deactivate sync_pg84_rds96
                """);
        PAGES.put("pause", """
                Usage: ibex pause SYNC [SYNC ...]|all

                Holds the syncs: changes are still captured on the sources, but nothing is applied to the
                targets until 'ibex resume'. Wildcards % and * select several syncs.
                Prints: Paused sync "SYNC"

                Example:
                  ibex pause sync_pg84_rds96
                """);
        PAGES.put("resume", """
                Usage: ibex resume SYNC [SYNC ...]|all

                Lets paused syncs run again; each is kicked at once to catch up what accumulated.
                Prints: Resumed sync "SYNC"

                Example:
                  ibex resume all
                """);
        PAGES.put("reload", """
                Usage: ibex reload

                Asks the running daemon to re-read every sync, its options and its tables now (it also does
                so by itself every few seconds). Bucardo's "reload config" and "reload sync" map to this.

                Example:
                  ibex reload
                """);
        PAGES.put("reopen", """
                Usage: ibex reopen

                Asks the running daemon (wherever it runs: the request goes through the repository) to close
                its log file and open it again by its name, created mode 0640 if it is missing. Run it after
                logrotate moved the file away (docs/logrotate.example). Bucardo's "reopen" does the same.

                Example:
                  ibex reopen
                """);
        PAGES.put("check", """
                Usage: ibex check [SYNC ...] [warn=SECONDS] [crit=SECONDS]

                A plugin for Nagios, Icinga and the like: prints one line and exits 0 (OK), 1 (WARNING),
                2 (CRITICAL) or 3 (UNKNOWN: the check could not be made, e.g. the repository is away).
                Checks the named syncs, or every sync: a lag (the age of the oldest change a target has not
                received, on the source's clock) of warn seconds (default 60) is WARNING, of crit seconds
                (default 300) CRITICAL; a Bad sync or an unreadable source is CRITICAL; a paused or inactive
                sync with a backlog, a database that does not answer, or no running daemon is WARNING.
                The performance data after "|" gives the worst lag and the whole backlog (and each sync's,
                when several are checked).

                Example:
                  ibex check sync_pg84_rds96 warn=30 crit=120
                  IBEX OK - sync_pg84_rds96 Good, lag 0.0s, backlog 0 | lag=0.0s;30;120 backlog=0
                """);
        PAGES.put("validate", """
                Usage: ibex validate SYNC [SYNC ...]|all

                Checks each sync exactly as the daemon does when it starts it: the databases answer, every
                table exists on the source with a usable key, and the targets have the tables. A sync with
                onetimecopy=0 whose target table is empty (or far smaller by the planner's estimates) while its
                source table is not gets a warning on stderr naming the table and the fix.
                Prints "Validating sync S ... OK", or the reason it would fail (exit code 1).

                Example:
                  ibex validate all
                  Validating sync sync_pg84_rds96 ... OK
                """);
        PAGES.put("inspect", """
                Usage:
                  ibex inspect table NAME [db=DB]
                  ibex inspect sync NAME

                inspect table: the table (schema.table, or a bare name if it is unique; db=DB when tables of
                  that name were added from several databases) as ibex knows it:
                  its database, key, its columns with their types as the database has them now, options
                  set with 'update table', and the relgroups and syncs that use it.
                inspect sync: the sync resolved as the daemon will run it (this checks it as 'ibex validate'
                  does, and fails the same way): its sources and targets with their roles and how each
                  receiving database holds off triggers and foreign keys while ibex applies changes, its
                  tables with their keys, its sequences and its options.

                Examples:
                  ibex inspect table pgbench_accounts
                    Table: public.pgbench_accounts
                    Database: pgdb84
                    Key: aid (integer)
                    Columns (4):
                      aid       integer  (key)
                      bid       integer
                      abalance  integer
                      filler    character(84)
                    Relgroups: herd_pg84
                    Syncs: sync_pg84_rds96
                  ibex inspect sync sync_pg84_rds96
                """);
        PAGES.put("verify", """
                Usage: ibex verify SYNC [TABLE ...] [maxkeys=N]

                Compares every table of the sync (or the TABLEs named, schema.table or bare) between its
                source and each other database, range by range of the key, and names the rows that differ:
                up to maxkeys=N per table and target (default 20; 0 gives the counts only). A table without
                a key is compared by row count and content only. The databases are read, never changed;
                rows still on their way make a difference, so verify a quiet sync (or use cutover).
                While it runs: on a terminal a progress bar per table and target, otherwise a line as each
                one is done. Exit code: 0 every table identical, 1 some differ.

                Example:
                  ibex verify sync_pg84_rds96
                  public.pgbench_accounts -> rds96 [############........] 61% 610,000/1,000,000 rows
                  ...
                  public.pgbench_accounts on rds96: identical (1,000,000 rows)
                  public.pgbench_tellers on rds96: DIFFERENT (source 10 rows, target 9 rows): 1 missing on target, 0 extra on target, 1 different
                    missing on target: tid=7
                    different: tid=3
                  verify: 1 table(s) differ
                """);
        PAGES.put("cutover", """
                Usage: ibex cutover SYNC [timeout=SECONDS]

                Makes sure the targets can take over from the source, for a migration:
                  1. stop the writes to the source (stop the application, or make the source read-only);
                  2. ibex cutover SYNC: kicks the sync until every target has every change (backlog zero,
                     the runs good), runs it once more (that run copies the sequences), then verifies
                     every table as 'ibex verify' does;
                  3. when it says Ready, point the application to the target(s).
                The daemon must be running. timeout= (default 600 seconds) bounds the wait for the backlog.
                Exit code: 0 ready; 1 not ready, with the reason (changes still to deliver, failing runs,
                or the tables that differ).

                Example:
                  ibex cutover sync_pg84_rds96 timeout=300
                  Cutover of sync sync_pg84_rds96: waiting up to 5m for every change to reach the targets
                  backlog: 0 change(s) {rds96=0}, last run DONE
                  verifying every table
                  public.pgbench_accounts on rds96: identical (1,000,000 rows)
                  Ready: every target has every change and is identical to the source; point the application to the target(s) now.
                """);
        PAGES.put("delta", """
                Usage: ibex delta [DB ...]

                The changes captured on each source database (or on those named) that some target has
                still to receive, per table, then a total per database (when there are several) and the
                grand total.

                Example:
                  ibex delta
                  pgdb84  public.pgbench_accounts  1,234
                  pgdb84  public.pgbench_tellers      12
                  Total: 1,246
                """);
        PAGES.put("copy", """
                Usage: ibex copy schema SYNC [--dry-run]

                Creates on each target of the sync the tables and sequences it lacks, from the source's
                catalog (no pg_dump needed; sources 9.3 and later): columns with their types, defaults,
                NOT NULL and check constraints, identity and serial columns with their sequences, the
                primary key, unique constraints, indexes, foreign keys and comments. Tables already there
                are left alone. --dry-run prints the statements instead of running them.
                A copy (onetimecopy, fullcopy) does the same by itself while create_tables=on (the
                default), building indexes and foreign keys after the rows.

                Examples:
                  ibex copy schema migrate --dry-run
                  ibex copy schema migrate
                """);
        PAGES.put("purge", """
                Usage: ibex purge [all]

                Deletes the captured change rows that every target has received, now rather than at the
                daemon's next purge (every purge_interval seconds, see 'ibex show'). Rows a target still
                needs are kept. "all" is accepted for Bucardo scripts and changes nothing.
                Prints: Purged N change rows.

                Example:
                  ibex purge
                """);
        PAGES.put("ddl", """
                Usage: ibex ddl SYNC "SQL"

                Runs a schema change (ALTER TABLE ..., in one transaction) on the sync's source and queues it
                for every target: each target runs it when its stream of changes reaches the point where it
                committed on the source, before any row written after it is applied. Capture of the tables
                whose columns it changed is installed again in the same transaction. A target that has it
                already (after a crash) is noted and skipped. Needs no superuser: the table owner's rights.
                With several sources: every database is given it the same way, or none is: it is refused,
                with nothing run, unless every database of the sync is PostgreSQL, reachable, and accepts it
                (tried on each in a transaction rolled back); then it runs on each source in turn, then each
                target. Meanwhile only the tables whose columns differ wait; the others go on.
                Without 'ibex ddl': a column added on the source (on every source, the same way, for a sync
                with several) is followed by itself (ddl=auto); a drop, rename or type change holds the table
                (see 'ibex status SYNC'); once the targets have it, 'ibex activate SYNC' releases it.

                Example:
                  ibex ddl sync_pg84_rds96 "ALTER TABLE public.orders RENAME COLUMN note TO remark"
                """);
        PAGES.put("set", """
                Usage: ibex set NAME=VALUE [NAME=VALUE ...]

                Changes global settings, stored in the repository; a running daemon picks them up at once.
                  log_level=terse|normal|verbose|debug   normal
                  purge_interval=SECONDS                 30: how often the daemon purges delivered changes
                  max_backoff=SECONDS                    60: the longest wait before retrying a failed sync
                  copy_parallelism=N                     2: tables copied at a time by onetimecopy and fullcopy,
                                                         and slices of a big backlog applied at a time
                  slice_keys=N                           500000: most keys of a table applied in one transaction
                  gather_ms=MS                           20: least pause after a run before an autokicked one
                  gather_max_ms=MS                       500: a busy sync (2,000 rows a second or more) pauses
                                                         8 times its last run's time, up to this, so its
                                                         changes come in fewer, bigger batches
                  poll_ms=MS                             10: how often the daemon looks for new changes on a source
                  create_tables=on|off                   on: a copy (onetimecopy, fullcopy) creates the target
                                                         tables it lacks from the source's catalog; off: it
                                                         refuses a missing table
                  copy_split_rows=N                      1000000: an onetimecopy copies a bigger table in
                                                         resumable ranges of about N rows (at least two
                                                         per worker), copy_parallelism at a time
                  http_listen=HOST:PORT|off              127.0.0.1:9187: where the daemon serves /metrics and its
                                                         status page (read when the daemon starts)
                  status_interval=SECONDS                10: how often the daemon measures lag, backlog and
                                                         its databases for the metrics and the page
                  lease_seconds=N                        15: how long a daemon's lease on a sync lasts (see
                                                         'ibex help start'); renewed every third of it, taken
                                                         over by another daemon once it expires
                Settings are set in the order given; the first refused stops the command.
                Prints: Set log_level = verbose

                Example:
                  ibex set log_level=verbose purge_interval=60
                """);
        PAGES.put("show", """
                Usage: ibex show [all|NAME ...]

                Prints the global settings (or those named) as "name = value", with the default where none
                was set (see 'ibex help set').

                Example:
                  ibex show all
                  copy_parallelism = 2
                  copy_split_rows  = 1000000
                  create_tables    = on
                  gather_max_ms    = 500
                  gather_ms        = 20
                  log_level        = normal
                  max_backoff      = 60
                  poll_ms          = 10
                  purge_interval   = 30
                  slice_keys       = 500000
                """);
        PAGES.put("sql", """
                Usage: ibex sql replica_function ROLE|db=NAME

                Prints the SQL an administrator runs on a managed target (Amazon RDS, Cloud SQL, Azure)
                where ibex's user may not set session_replication_role itself: a SECURITY DEFINER function
                public.ibex_replication_role that only switches it to replica or origin, executable by
                ROLE alone. ROLE is the user ibex connects to the target as; db=NAME takes it from that
                database ('ibex add db ... user='). There is no default: granting to a role by mistake
                would give it the power to skip triggers. Run the SQL as a role that may set the parameter
                (on RDS the master user), then: ibex update db NAME replica_function=public.ibex_replication_role
                On PostgreSQL 15 and later, GRANT SET ON PARAMETER session_replication_role TO ROLE is enough.

                Examples:
                  ibex sql replica_function db=rds96 | psql -h pgrds.example.com -U postgres repdb
                  ibex sql replica_function ibex_apply
                """);
        PAGES.put("message", """
                Usage: ibex message TEXT ...

                Writes the text into the running daemon's log (as "MESSAGE TEXT"), to mark a moment, e.g.
                before maintenance. Alias: msg.

                Example:
                  ibex message "starting the pgbench load test"
                """);
        PAGES.put("demo", """
                Usage: ibex demo [key=value ...]

                Starts two throw-away embedded PostgreSQL servers, sets up replication between them with
                the same commands as the walkthrough, runs a pgbench-like load and shows that the target
                follows. Needs no installed PostgreSQL. key=value options are passed to the demo.

                Example:
                  ibex demo
                """);
        PAGES.put("help", """
                Usage: ibex help [COMMAND]    (or: ibex COMMAND --help)

                Without a command: the list of commands and the global options. With one: its syntax,
                parameters and examples. 'ibex help options' shows the global options only.

                Example:
                  ibex help add
                """);
        PAGES.put("version", """
                Usage: ibex version    (or: ibex --version)

                Prints the version of ibex.
                """);
        BucardoHelp.addTo(PAGES);
    }

    static final String OPTIONS = """
            Global options (anywhere on the line, as --name value or --name=value):
              --dbhost H, -h H, --db-host    repository host          (default localhost)
              --dbport P, -p P, --db-port    repository port          (default 5432)
              --dbname D, -d D, --db-name    repository database      (default ibex)
              --dbuser U, -U U, --db-user    repository user          (default $PGUSER, else your login)
              --dbpass PW, -P PW, --db-pass  repository password      (default: ~/.pgpass)
              --piddir DIR                   where the daemon's pid file is   (default ~/.ibex/run)
              --logdir DIR                   where the daemon's log is        (default ~/.ibex/log)
              --log-level L                  terse, normal, verbose or debug  (default normal)
              --ibexrc FILE                  read settings from FILE
              --no-ibexrc                    read no rc file
              --force                        skip checks (add db), remove what depends on an object (remove)
              --quiet, -q                    print only what was asked for (lists, status), no confirmations
              --verbose, -v                  list: show where each object is used
              --exit-on-nosync               start: refuse when no sync is active
              --debug                        print stack traces with errors
              --batch                        accepted for Bucardo scripts; ibex never prompts
              --version, -V                  print the version
              --help, -?                     print help
            Each setting comes from the command line, else the environment (IBEX_DBHOST, IBEX_DBPORT,
            IBEX_DBNAME, IBEX_DBUSER, IBEX_DBPASS, IBEX_PIDDIR, IBEX_LOGDIR, IBEX_LOG_LEVEL), else the rc file
            (./.ibexrc, else ~/.ibexrc: lines "dbhost = H" or "dbhost: H", # comments; names dbhost, dbport,
            dbname, dbuser, dbpass, piddir, logdir, log_level), else the default.""";

    private Help() {
    }

    static String overview() {
        StringBuilder sb = new StringBuilder();
        sb.append("ibex: trigger-based replication for PostgreSQL, a successor to Bucardo\n\n");
        sb.append("Usage: ibex [options] COMMAND [OBJECT] [NAME ...] [key=value ...]\n\n");
        sb.append("Commands:\n");
        SUMMARY.forEach((verb, line) -> sb.append("  ").append(Formats.pad(verb, 12)).append(line).append('\n'));
        sb.append('\n').append(OPTIONS).append("\n\n");
        sb.append("Run 'ibex help COMMAND' for the syntax, options and examples of a command.");
        return sb.toString();
    }

    /** The help page of a command (canonical or alias), or null if there is none. */
    static String page(String word) {
        String w = word.toLowerCase(Locale.ROOT);
        if (w.equals("options") || w.equals("option")) {
            return OPTIONS;
        }
        List<String> split = Verbs.split(List.of(w));
        String verb = Verbs.normalize(split.get(0));
        if (verb == null) {
            return null;
        }
        String page = PAGES.get(verb);
        return page == null ? null : page.stripTrailing();
    }

    /** {@code ibex help [COMMAND]}: 0, or 1 when there is no such command. */
    static int print(PrintStream out, PrintStream err, List<String> topic) {
        if (topic.isEmpty()) {
            out.println(overview());
            return Main.OK;
        }
        String page = page(topic.get(0));
        if (page == null) {
            err.println("ibex: no help for \"" + topic.get(0) + "\": run 'ibex help' for the list of commands");
            return Main.USER_ERROR;
        }
        String section = topic.size() > 1 ? HelpSection.of(page, Verbs.normalize(topic.get(0).toLowerCase(Locale.ROOT)), topic.get(1)) : null;
        out.println(section != null ? section : page);
        return Main.OK;
    }
}
