package io.ibex.api;

import io.ibex.IbexException;

import java.util.Locale;

/** The nouns of the grammar, with Bucardo's aliases (herd for relgroup, database and dbs for db, ...). */
public enum ObjectType {
    DB, TABLE, SEQUENCE, RELGROUP, DBGROUP, SYNC, ALL;

    public static ObjectType parse(String word) {
        return switch (word.toLowerCase(Locale.ROOT)) {
            case "db", "dbs", "database", "databases" -> DB;
            case "table", "tables" -> TABLE;
            case "sequence", "sequences" -> SEQUENCE;
            case "relgroup", "relgroups", "herd", "herds" -> RELGROUP;
            case "dbgroup", "dbgroups", "dbg", "dbgs" -> DBGROUP;
            case "sync", "syncs" -> SYNC;
            case "all" -> ALL;
            default -> throw new IbexException("unknown object type \"" + word + "\": use db, table, sequence, relgroup, dbgroup or sync");
        };
    }
}
