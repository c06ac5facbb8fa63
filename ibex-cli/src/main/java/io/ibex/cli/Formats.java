package io.ibex.cli;

import io.ibex.model.Database;
import io.ibex.model.DbGroup;
import io.ibex.model.RelGroup;
import io.ibex.model.Relation;
import io.ibex.model.Sync;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** One line per object for {@code ibex list}, in Bucardo's style. Never prints a password. */
final class Formats {
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_.,:/@%+=-]+");

    private Formats() {
    }

    /** {@code Database: pgdb84  Status: active  Conn: psql -p 5432 -U postgres -d repdb -h host}. */
    static List<String> databases(List<Database> dbs) {
        int nameWidth = width(dbs.stream().map(Database::name).toList());
        int statusWidth = width(dbs.stream().map(Database::status).toList());
        List<String> out = new ArrayList<>();
        for (Database d : dbs) {
            StringBuilder sb = new StringBuilder("Database: ").append(pad(d.name(), nameWidth))
                    .append("  Status: ").append(pad(d.status(), statusWidth))
                    .append("  Conn: ").append(psql(d));
            if (d.makedelta()) {
                sb.append("  Makedelta: on");
            }
            if (d.replicaFunction() != null) {
                sb.append("  Replica function: ").append(d.replicaFunction());
            }
            if (d.replicaMode() != null && !d.replicaMode().equals("auto")) {
                sb.append("  Replica mode: ").append(d.replicaMode()); // auto, the default, goes unsaid as makedelta=off does
            }
            out.add(sb.toString().stripTrailing());
        }
        return out;
    }

    /** The psql command that reaches the database as ibex does: port, user, dbname, host, and never the password. */
    static String psql(Database d) {
        StringBuilder sb = new StringBuilder("psql");
        if (d.port() > 0) {
            sb.append(" -p ").append(d.port());
        }
        if (d.user() != null) {
            sb.append(" -U ").append(shell(d.user()));
        }
        sb.append(" -d ").append(shell(d.dbname()));
        if (d.host() != null) {
            sb.append(" -h ").append(shell(d.host()));
        }
        return sb.toString();
    }

    /** {@code Table: public.pgbench_accounts  DB: pgdb84  PK: aid (integer)}; sequences have no PK. */
    static List<String> relations(List<Relation> rels) {
        int nameWidth = width(rels.stream().map(Relation::qualifiedName).toList());
        int dbWidth = width(rels.stream().map(Relation::db).toList());
        List<String> out = new ArrayList<>();
        for (Relation r : rels) {
            StringBuilder sb = new StringBuilder(r.isSequence() ? "Sequence: " : "Table: ").append(pad(r.qualifiedName(), nameWidth))
                    .append("  DB: ").append(pad(r.db(), dbWidth));
            if (!r.isSequence()) {
                sb.append("  PK: ").append(key(r.keyColumns(), r.keyTypes()));
            }
            if (r.autokick() != null) {
                sb.append("  autokick: ").append(onOff(r.autokick()));
            }
            if (r.makedelta() != null) {
                sb.append("  makedelta: ").append(onOff(r.makedelta()));
            }
            if (r.rebuildIndex() != null) {
                sb.append("  rebuild_index: ").append(r.rebuildIndex());
            }
            if (r.analyzeAfterCopy() != null) {
                sb.append("  analyze_after_copy: ").append(onOff(r.analyzeAfterCopy()));
            }
            out.add(sb.toString().stripTrailing());
        }
        return out;
    }

    /** {@code Relgroup: herd_pg84  DB: pgdb84  Members: public.a, public.b}. */
    static List<String> relGroups(List<RelGroup> groups) {
        int nameWidth = width(groups.stream().map(RelGroup::name).toList());
        List<String> out = new ArrayList<>();
        for (RelGroup g : groups) {
            List<String> dbs = g.members().stream().map(Relation::db).distinct().toList();
            out.add("Relgroup: " + pad(g.name(), nameWidth) + "  DB: " + (dbs.isEmpty() ? "none" : String.join(", ", dbs))
                    + "  Members: " + (g.members().isEmpty() ? "none"
                    : String.join(", ", g.members().stream().map(Relation::qualifiedName).toList())));
        }
        return out;
    }

    /** {@code Dbgroup: G  Members: pgdb84:source rds96:target}. */
    static List<String> dbGroups(List<DbGroup> groups) {
        int nameWidth = width(groups.stream().map(DbGroup::name).toList());
        List<String> out = new ArrayList<>();
        for (DbGroup g : groups) {
            out.add("Dbgroup: " + pad(g.name(), nameWidth) + "  Members: "
                    + (g.members().isEmpty() ? "none" : String.join(" ", g.members().stream().map(DbGroup.Member::toString).toList())));
        }
        return out;
    }

    /** {@code Sync: S  Relgroup: R  DB group: G  [Active]}, then its options as update sync takes them. */
    static List<String> syncs(List<Sync> syncs) {
        int nameWidth = width(syncs.stream().map(Sync::name).toList());
        int relWidth = width(syncs.stream().map(Sync::relgroup).toList());
        int dbgWidth = width(syncs.stream().map(Sync::dbgroup).toList());
        List<String> out = new ArrayList<>();
        for (Sync s : syncs) {
            out.add("Sync: " + pad(s.name(), nameWidth) + "  Relgroup: " + pad(s.relgroup(), relWidth) + "  DB group: "
                    + pad(s.dbgroup(), dbgWidth) + "  [" + (s.active() ? "Active" : "Inactive") + (s.paused() ? ", paused" : "") + "]");
            out.add("  " + syncOptions(s));
        }
        return out;
    }

    static String syncOptions(Sync s) {
        return "autokick=" + onOff(s.autokick())
                + " checktime=" + (s.checktimeSeconds() == null ? "none" : s.checktimeSeconds() + "s")
                + " onetimecopy=" + s.onetimecopy()
                + " stayalive=" + onOff(s.stayalive())
                + " kidsalive=" + onOff(s.kidsalive())
                + " conflict_strategy=" + s.conflictStrategy()
                + " deletemethod=" + s.deletemethod()
                + " analyze_after_copy=" + onOff(s.analyzeAfterCopy())
                + " rebuild_index=" + s.rebuildIndex()
                + " ddl=" + s.ddl();
    }

    static String onOff(boolean b) {
        return b ? "on" : "off";
    }

    /** A word as a shell would need it: as it is when safe, else in single quotes. */
    static String shell(String s) {
        if (s == null) {
            return "''";
        }
        if (SAFE.matcher(s).matches()) {
            return s;
        }
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /** 1,234,567: a count with thousands separators. */
    static String count(long n) {
        return String.format(java.util.Locale.ROOT, "%,d", n);
    }

    /** {@code aid (integer)}, {@code a|b (integer|text)}, or none for a table without a key. */
    static String key(List<String> columns, List<String> types) {
        return columns.isEmpty() ? "none" : String.join("|", columns) + " (" + String.join("|", types) + ")";
    }

    static int width(List<String> values) {
        return values.stream().mapToInt(v -> v == null ? 0 : v.length()).max().orElse(0);
    }

    static String pad(String s, int width) {
        String v = s == null ? "" : s;
        return v.length() >= width ? v : v + " ".repeat(width - v.length());
    }
}
