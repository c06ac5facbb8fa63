package io.ibex.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The benchmark's command line. */
final class Options {
    static final List<String> SECTIONS = List.of("overhead", "catchup", "lag", "copy", "scale");

    int scale = 10;
    int bigScale = 100;
    int runs = 3;
    int seconds = 20;
    int lagSeconds = 30;
    int clients = 4;
    double lagRate = 200;
    int heartbeatMs = 100;
    Set<String> only = new LinkedHashSet<>(SECTIONS);
    Path out = Path.of("target", "bench");
    String pgVersion = "17";
    Map<String, String> settings = new LinkedHashMap<>();
    /** ibex's own settings (ibex set NAME=VALUE) for the benchmark's repository. */
    Map<String, String> ibexSettings = new LinkedHashMap<>();
    String source;
    String target;
    String user = "postgres";
    String password = System.getenv("PGPASSWORD");
    String pgDump;
    /** A local installation's bin directory (initdb, pg_ctl, postgres, pg_dump) to run both servers from. */
    Path pgBin;
    boolean diagnose = true;
    /** Native logical replication measured beside ibex in section 1 (needs wal_level = logical on the source). */
    boolean nativeReference = true;
    boolean jfr;
    /** The daemon serves its metrics and status page, scraped every second (what watching ibex costs). */
    boolean metrics;
    boolean help;
    final List<String> argv = new ArrayList<>();

    static final String USAGE = """
            Usage: bin/ibex-bench [options]

            Measures ibex on two PostgreSQL servers: capture overhead, catch-up, lag, initial copy, scale, daemon heap.
            Prints one table and writes it to target/bench/results-<date>.md.

              --runs N            repetitions of every measurement (default 3); the table shows median and range
              --scale N           pgbench scale of the main database: N x 100,000 accounts (default 10 = 1M)
              --big-scale N       scale of the table of the scale section (default 100 = 10M accounts)
              --only LIST         sections to run, comma-separated: overhead,catchup,lag,copy,scale (default all)
              --seconds N         duration of each TPC-B-like tps measurement (default 20)
              --lag-seconds N     duration of each lag measurement (default 30)
              --clients N         TPC-B-like clients (default 4)
              --lag-rate TPS      the steady rate of the lag measurement (default 200)
              --heartbeat-ms N    heartbeat period (default 100)
              --pg-version V      embedded PostgreSQL version for both servers (default 17)
              --pg-bin DIR        run both servers from this installation's initdb/pg_ctl/postgres instead of the
                                  embedded binaries, e.g. /usr/lib/postgresql/15/bin (same settings; as root they run
                                  in a user namespace, else as the postgres user); its pg_dump is the copy baseline's
              --set NAME=VALUE    extra server setting for the embedded servers (repeatable)
              --ibex-set N=V      an ibex setting (ibex set), e.g. gather_ms=50 (repeatable)
              --source HOST:PORT  use this running server as the source instead of an embedded one
              --target HOST:PORT  use this running server as the target (it also holds the repository)
              --user NAME         role for --source/--target (default postgres; password from PGPASSWORD)
              --pg-dump PATH      pg_dump to compare the initial copy with (default: the one in --pg-bin, else the
                                  newest found); pg_restore beside it
              --no-diagnose       skip the extra, untimed catch-ups that sample where the time goes
              --no-native         skip the issue's reference in section 1: PostgreSQL's native logical replication of the
                                  same tables between the same servers, measured run by run beside ibex (it needs
                                  wal_level=logical, which the benchmark's own servers get unless --set says otherwise)
              --jfr               record the whole run with Java Flight Recorder into the output directory
              --metrics           the daemon serves /metrics and its status page (as 'ibex daemon' does), and a
                                  scraper reads both every second: what watching ibex costs
              --out DIR           output directory (default target/bench)

            With --source/--target the benchmark creates (dropping first) the databases ibex_bench, ibex_bench_plain, ibex_bench_big,
            ibex_bench_restore and ibex_bench_repo on them: use servers you can spare.
            """;

    static Options parse(String[] args) {
        Options o = new Options();
        o.argv.addAll(List.of(args));
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String v = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0 && !a.startsWith("--set")) {
                v = a.substring(eq + 1);
                a = a.substring(0, eq);
            }
            switch (a) {
                case "-h", "--help" -> o.help = true;
                case "--no-diagnose" -> o.diagnose = false;
                case "--no-native" -> o.nativeReference = false;
                case "--jfr" -> o.jfr = true;
                case "--metrics" -> o.metrics = true;
                default -> {
                    if (v == null) {
                        if (i + 1 >= args.length) {
                            throw new IllegalArgumentException(a + " needs a value");
                        }
                        v = args[++i];
                    }
                    o.set(a, v);
                }
            }
        }
        if ((o.source == null) != (o.target == null)) {
            throw new IllegalArgumentException("give both --source and --target, or neither (embedded servers)");
        }
        if (o.source != null && o.pgBin != null) {
            throw new IllegalArgumentException("--pg-bin starts the benchmark's own servers: not with --source/--target");
        }
        if (o.runs < 1 || o.scale < 1 || o.bigScale < 1 || o.clients < 1) {
            throw new IllegalArgumentException("--runs, --scale, --big-scale and --clients must be at least 1");
        }
        return o;
    }

    private void set(String name, String v) {
        switch (name) {
            case "--runs" -> runs = Integer.parseInt(v);
            case "--scale" -> scale = Integer.parseInt(v);
            case "--big-scale" -> bigScale = Integer.parseInt(v);
            case "--seconds" -> seconds = Integer.parseInt(v);
            case "--lag-seconds" -> lagSeconds = Integer.parseInt(v);
            case "--clients" -> clients = Integer.parseInt(v);
            case "--lag-rate" -> lagRate = Double.parseDouble(v);
            case "--heartbeat-ms" -> heartbeatMs = Integer.parseInt(v);
            case "--pg-version" -> pgVersion = v;
            case "--source" -> source = v;
            case "--target" -> target = v;
            case "--user" -> user = v;
            case "--pg-dump" -> pgDump = v;
            case "--pg-bin" -> pgBin = Path.of(v).toAbsolutePath();
            case "--out" -> out = Path.of(v);
            case "--set" -> {
                int eq = v.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("--set needs NAME=VALUE, not " + v);
                }
                settings.put(v.substring(0, eq), v.substring(eq + 1));
            }
            case "--ibex-set" -> {
                int eq = v.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("--ibex-set needs NAME=VALUE, not " + v);
                }
                ibexSettings.put(v.substring(0, eq), v.substring(eq + 1));
            }
            case "--only" -> {
                only = new LinkedHashSet<>();
                for (String s : v.split(",")) {
                    String t = s.trim().toLowerCase(java.util.Locale.ROOT);
                    if (t.equals("heap") || t.equals("memory")) {
                        t = "catchup"; // the heap is measured during the catch-ups
                    }
                    if (!SECTIONS.contains(t)) {
                        throw new IllegalArgumentException("unknown section " + s + " (one of " + String.join(", ", SECTIONS) + ")");
                    }
                    only.add(t);
                }
            }
            default -> throw new IllegalArgumentException("unknown option " + name + " (see --help)");
        }
    }

    boolean runs(String section) {
        return only.contains(section);
    }
}
