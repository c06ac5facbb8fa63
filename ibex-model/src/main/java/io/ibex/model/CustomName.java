package io.ibex.model;

/**
 * Bucardo's customname: table {@code relation} (its schema and name on the source: {@code source}) is written as
 * schema.name on the databases that receive it; on one database (db) or every one (null), for one sync or every one
 * (null).
 */
public record CustomName(long id, long relation, String source, String db, String sync, String schema, String name) {

    public String qualifiedName() {
        return schema + "." + name;
    }

    /** How specific the scope is: the most specific row for a database and sync wins. */
    public int specificity() {
        return (db != null ? 2 : 0) + (sync != null ? 1 : 0);
    }

    /** Of the rows for table relation, the most specific that applies to database dbName in sync syncName. */
    public static java.util.Optional<CustomName> pick(java.util.List<CustomName> rows, long relation, String dbName, String syncName) {
        return rows.stream().filter(n -> n.relation() == relation && n.appliesTo(dbName, syncName))
                .max(java.util.Comparator.comparingInt(CustomName::specificity));
    }

    /** Whether this row applies to the table written to database db in sync syncName. */
    public boolean appliesTo(String dbName, String syncName) {
        return (db == null || db.equals(dbName)) && (sync == null || sync.equals(syncName));
    }
}
