package io.ibex.api;

import io.ibex.IbexException;
import io.ibex.model.Relation;
import io.ibex.repository.Repository;

import java.util.List;
import java.util.regex.Pattern;

/**
 * A table name as a user types it: schema.table or a bare name, double quotes around parts that contain dots
 * or keep their case, % (or *) as wildcards. A bare name matches in every schema.
 */
public record QualifiedName(String schema, String name) {

    public static QualifiedName parse(String text) {
        String s = text.trim();
        int dot = splitPoint(s);
        if (dot < 0) {
            return new QualifiedName(null, unquote(s));
        }
        return new QualifiedName(unquote(s.substring(0, dot)), unquote(s.substring(dot + 1)));
    }

    private static int splitPoint(String s) {
        boolean quoted = false;
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '"') {
                quoted = !quoted;
            } else if (ch == '.' && !quoted) {
                return i;
            }
        }
        return -1;
    }

    private static String unquote(String part) {
        if (part.length() >= 2 && part.startsWith("\"") && part.endsWith("\"")) {
            return part.substring(1, part.length() - 1).replace("\"\"", "\"");
        }
        return part.replace('*', '%');
    }

    /** The one table or sequence of the repository this name means; a one-line error if none or several. */
    static Relation findIn(Repository repo, String text) {
        return findIn(repo, text, null);
    }

    /** As {@link #findIn(Repository, String)}, among the tables of database db (any when null). */
    static Relation findIn(Repository repo, String text, String db) {
        QualifiedName q = parse(text);
        if (db != null) {
            repo.requireDatabase(db);
        }
        List<Relation> matches = repo.relations().stream()
                .filter(r -> r.name().equals(q.name()) && (q.schema() == null || r.schema().equals(q.schema()))
                        && (db == null || r.db().equals(db))).toList();
        if (matches.isEmpty()) {
            throw new IbexException("there is no table named \"" + text + "\"" + (db == null ? "" : " on database \"" + db + "\""));
        }
        if (matches.size() > 1) {
            List<String> dbs = matches.stream().map(Relation::db).distinct().sorted().toList();
            boolean oneSchemaPerDb = dbs.size() == matches.size();
            throw new IbexException("\"" + text + "\" names " + matches.size() + " tables"
                    + (oneSchemaPerDb ? " (on databases " + String.join(", ", dbs) + "): add db=NAME to say which"
                    : ": give schema.table" + (dbs.size() > 1 ? ", and db=NAME to say the database" : "")));
        }
        return matches.get(0);
    }

    /** A LIKE pattern (% and _) as a Java regex. */
    static String likeToRegex(String like) {
        StringBuilder re = new StringBuilder();
        for (char ch : like.replace('*', '%').toCharArray()) {
            re.append(ch == '%' ? ".*" : ch == '_' ? "." : Pattern.quote(String.valueOf(ch)));
        }
        return re.toString();
    }
}
