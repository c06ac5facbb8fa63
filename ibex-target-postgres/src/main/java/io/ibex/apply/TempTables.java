package io.ibex.apply;

import io.ibex.catalog.SourceCatalog;
import io.ibex.model.TableInfo;
import io.ibex.db.Pg;
import io.ibex.db.Sql;
import org.postgresql.copy.CopyManager;

import java.io.IOException;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The temporary tables of a PostgreSQL target's session that take the changed keys and rows of a batch before a
 * set-based DELETE, UPDATE or INSERT: created once per session (ON COMMIT DELETE ROWS empties them at each commit).
 */
final class TempTables {

    private final Connection c;
    private final CopyManager copy;
    private int tempCounter;

    TempTables(Connection c, CopyManager copy) {
        this.c = c;
        this.copy = copy;
    }

    /** Copies a stream into a temporary table of this session, emptied first if this transaction filled it already. */
    long fill(String temp, InputStream in) throws SQLException, IOException {
        if (!filledInThisTransaction.add(temp)) {
            Pg.exec(c, "DELETE FROM " + temp); // keys of an earlier call in this transaction (another source's)
        }
        long n = copy.copyIn("COPY " + temp + " FROM STDIN", in);
        if (n > 10_000) {
            Pg.exec(c, "ANALYZE " + temp); // a temporary table has no statistics; without them big joins go wrong
            Pg.exec(c, "SET LOCAL work_mem = '64MB'"); // and the join's hash table in memory
        }
        return n;
    }

    /**
     * The temporary table that takes a table's changed keys: created once per session (ON COMMIT DELETE ROWS
     * empties it at each commit), because creating one per batch costs more than the batch itself.
     */
    String keyTable(TableInfo t) throws SQLException {
        String existing = tempTables.get(t.qualifiedName());
        if (existing != null) {
            return existing;
        }
        String temp = "ibex_keys_" + (++tempCounter);
        List<String> cols = new ArrayList<>();
        for (int i = 0; i < t.keyColumns().size(); i++) {
            cols.add(Sql.ident(t.keyColumns().get(i)) + " " + t.keyTypes().get(i));
        }
        Pg.exec(c, "CREATE TEMPORARY TABLE " + temp + " (" + String.join(", ", cols) + ") ON COMMIT DELETE ROWS");
        tempTables.put(t.qualifiedName(), temp);
        createdInThisTransaction.add(t.qualifiedName());
        return temp;
    }

    /** The temporary table that takes a table's changed rows for replaceRows, with the target's column types; like keyTable. */
    String rowTable(TableInfo t) throws SQLException {
        // by the columns too: a column added to the table (README, "Schema changes") needs a new one
        String name = "\u0000rows\u0000" + t.qualifiedName() + "\u0000" + String.join("\u0000", t.columnNames());
        String existing = tempTables.get(name);
        if (existing != null) {
            return existing;
        }
        Map<String, String> types = new HashMap<>();
        SourceCatalog.columns(c, t.schema(), t.name()).forEach(col -> types.put(col.name(), col.type()));
        List<String> cols = new ArrayList<>();
        for (String col : t.columnNames()) {
            cols.add(Sql.ident(col) + " " + types.get(col));
        }
        String temp = "ibex_rows_" + (++tempCounter);
        Pg.exec(c, "CREATE TEMPORARY TABLE " + temp + " (" + String.join(", ", cols) + ") ON COMMIT DELETE ROWS");
        tempTables.put(name, temp);
        createdInThisTransaction.add(name);
        return temp;
    }

    /** Temporary tables by what they hold: a table's keys (by its name) or its rows (by its name after "\0rows\0"). */
    private final Map<String, String> tempTables = new HashMap<>();
    private final Set<String> createdInThisTransaction = new HashSet<>();
    /** Key tables that hold keys until the commit (ON COMMIT DELETE ROWS) empties them. */
    private final Set<String> filledInThisTransaction = new HashSet<>();

    /** The transaction committed: its tables stay, and are empty again. */
    void committed() {
        createdInThisTransaction.clear();
        filledInThisTransaction.clear();
    }

    /** The transaction rolled back: so was the creation of the tables it created. */
    void rolledBack() {
        createdInThisTransaction.forEach(tempTables::remove);
        createdInThisTransaction.clear();
        filledInThisTransaction.clear();
    }
}
