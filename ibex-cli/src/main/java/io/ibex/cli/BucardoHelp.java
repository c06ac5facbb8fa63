package io.ibex.cli;

import java.util.Map;

/**
 * The help of the forms ibex took over from Bucardo's grammar (issue 26): the page of {@code ibex ping}, and the
 * paragraphs added to the pages of add, list, update, remove and start, each put before the page's examples.
 */
final class BucardoHelp {
    private BucardoHelp() {
    }

    static void addTo(Map<String, String> pages) {
        pages.put("ping", """
                Usage: ibex ping [timeout=SECONDS]

                Asks the running daemon to answer through the repository (NOTIFY ibex_control, answered on
                ibex_pong) and prints how long it took. When no daemon answers within the timeout (default
                10 s), one line says so and the exit code is 1.

                Example:
                  ibex ping
                    OK: the ibex daemon answered in 4 ms
                """);
        insert(pages, "add", """
                add db, Bucardo's extras: service=NAME takes host, port, dbname, user and password from
                  pg_service.conf (PGSERVICEFILE, else ~/.pg_service.conf, then PGSYSCONFDIR or
                  /etc/postgresql-common); group=G[:role] puts the database into dbgroup G (created if
                  missing; role target unless given); addalltables and addallsequences add its tables and
                  sequences (as add all tables db=NAME).
                add table also takes autokick=, makedelta=, rebuild_index= and analyze_after_copy= (as update
                  table); add tables pkonly (or add tables all pkonly) adds every table with a key. A relgroup
                  may name sequences among its members. dbg is an alias of dbgroup.
                add customname: ibex add customname schema.table NEWNAME [db=DB] [sync=S]: the table is
                  written as NEWNAME (schema.name, or a name in the source's schema) on the databases that
                  receive it, or on DB only, in every sync or in S only; the most specific one wins. Two ibex
                  databases over one PostgreSQL database then replicate a table within it. Not on a source.
                conflict_strategy=latest_table (Bucardo's bucardo_latest_all_tables): the source with the
                  newest change to the table in the batch wins every conflicting key of that table.
                """);
        insert(pages, "list", """
                list customname: each custom name with its id (for remove customname), table, new name,
                  database and sync. -v (--verbose): under each object, where it is used (a database's
                  dbgroups, a table's relgroups, syncs and custom names, a sync's databases and tables).
                """);
        insert(pages, "update", """
                update dbgroup NAME [add] db:role ... [remove db ...]: adds databases or changes their role
                  (a database without a role is a target), or takes them out. The syncs over the group get
                  capture on a new source and a starting point for a new target, which receives the changes
                  from then on (onetimecopy=1 or 2 copies what it misses). Renaming (name=) is not supported.
                """);
        insert(pages, "remove", """
                remove table all [db=DB] (or sequence all): every table (sequence) ibex knows, of DB when
                  given, in one transaction: if one is used by a sync, nothing is removed (without --force).
                remove customname ID|all: the custom names of those ids (see 'ibex list customname').
                """);
        insert(pages, "start", """
                --exit-on-nosync: when no sync is active, start refuses (exit code 1) instead of starting a
                daemon that waits for one.
                """);
    }

    /** Puts text before the page's "Prints" or "Example" line, else at its end. */
    private static void insert(Map<String, String> pages, String verb, String text) {
        String page = pages.get(verb);
        int at = page.length();
        for (String marker : new String[] {"\nPrints", "\nExample"}) {
            int i = page.indexOf(marker);
            if (i >= 0 && i < at) {
                at = i;
            }
        }
        pages.put(verb, page.substring(0, at).stripTrailing() + "\n" + text + page.substring(at));
    }
}
