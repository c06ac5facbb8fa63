package io.ibex.repository;

import io.ibex.IbexException;
import io.ibex.db.Pg;

import java.sql.Array;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;

/** The repository classes' JDBC plumbing: an SQL error as an IbexException that says it came from the repository. */
final class Jdbc {

    private Jdbc() {
    }

    interface SqlCall<T> {
        T run() throws SQLException;
    }

    static <T> T call(SqlCall<T> body) {
        try {
            return body.run();
        } catch (SQLException e) {
            throw fail(e);
        }
    }

    static IbexException fail(SQLException e) {
        return new IbexException("repository: " + Pg.firstLine(e), e);
    }

    static List<String> strings(Array a) throws SQLException {
        return a == null ? List.of() : Arrays.asList((String[]) a.getArray());
    }
}
