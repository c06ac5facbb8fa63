package io.ibex.repository;

import io.ibex.model.Database;
import io.ibex.model.Relation;
import io.ibex.model.Sync;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.ibex.repository.Jdbc.strings;

/** The configuration tables' rows (ibex.db, ibex.relation, ibex.sync) read into the model's records. */
final class ConfigRows {

    private ConfigRows() {
    }

    static Database database(ResultSet rs) throws SQLException {
        return new Database(rs.getString("name"), rs.getString("dbtype"), rs.getString("dbhost"), rs.getInt("dbport"),
                rs.getString("dbname"), rs.getString("dbuser"), rs.getString("dbpass"), rs.getString("status"),
                rs.getBoolean("makedelta"), rs.getString("replica_function"), rs.getString("replica_mode"),
                options(strings(rs.getArray("options"))));
    }

    /** The options column's key=value texts as a map (see Repository#addDatabase). */
    static Map<String, String> options(List<String> pairs) {
        Map<String, String> options = new LinkedHashMap<>();
        for (String pair : pairs) {
            int eq = pair.indexOf('=');
            options.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        return options;
    }

    static Relation relation(ResultSet rs) throws SQLException {
        return new Relation(rs.getLong("id"), rs.getString("db"), rs.getString("schemaname"), rs.getString("relname"),
                rs.getString("reltype"), strings(rs.getArray("key_columns")), strings(rs.getArray("key_types")),
                (Boolean) rs.getObject("autokick"), (Boolean) rs.getObject("makedelta"),
                (Integer) rs.getObject("rebuild_index"), (Boolean) rs.getObject("analyze_after_copy"));
    }

    static Sync sync(ResultSet rs) throws SQLException {
        return new Sync(rs.getString("name"), rs.getString("relgroup"), rs.getString("dbgroup"), rs.getString("status"),
                rs.getBoolean("paused"), rs.getBoolean("autokick"), (Integer) rs.getObject("checktime"), rs.getInt("onetimecopy"),
                rs.getBoolean("stayalive"), rs.getBoolean("kidsalive"), rs.getString("conflict_strategy"),
                rs.getString("deletemethod"), rs.getBoolean("analyze_after_copy"), rs.getInt("rebuild_index"), rs.getString("ddl"));
    }
}
