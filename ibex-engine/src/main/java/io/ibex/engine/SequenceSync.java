package io.ibex.engine;

import io.ibex.db.Pg;
import io.ibex.db.Sql;
import io.ibex.model.Database;
import io.ibex.model.Relation;
import io.ibex.spi.ChangeSource;
import io.ibex.spi.SequenceSettings;
import io.ibex.spi.Target;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/**
 * Sequences of a sync: each run sets every other database's sequence to the source's value, is_called and settings
 * (increment, bounds, cycle, start; Bucardo copies them too). With
 * several sources the highest value wins, so a sequence never goes backwards anywhere.
 */
final class SequenceSync {

    private static final Logger log = LoggerFactory.getLogger(SequenceSync.class);

    private SequenceSync() {
    }

    record Value(long lastValue, boolean isCalled, SequenceSettings settings) {
    }

    static Value read(ChangeSource capture, Connection c, Relation seq) throws SQLException {
        SequenceSettings settings = capture.sequenceSettings(c, seq.schema(), seq.name());
        return Pg.query(c, "SELECT last_value, is_called FROM " + Sql.qualified(seq.schema(), seq.name()),
                rs -> new Value(rs.getLong(1), rs.getBoolean(2), settings)).get(0);
    }

    /** The winning value among the sources: the highest, and of equal ones the called one. */
    static Value highest(Map<String, Value> bySource) {
        return bySource.values().stream().max((a, b) -> a.lastValue() != b.lastValue()
                ? Long.compare(a.lastValue(), b.lastValue()) : Boolean.compare(a.isCalled(), b.isCalled())).orElseThrow();
    }

    /** Sets the sequence on a database if it differs; setval is not transactional, so this runs outside a batch. */
    static void apply(Target target, Database db, Relation seq, Value v, String sync) {
        if (target.setSequence(seq.schema(), seq.name(), v.lastValue(), v.isCalled(), v.settings())) {
            log.info("KID ({}) Sequence {} on {} set to {} (is_called {}; {})", sync, seq.qualifiedName(), db.name(), v.lastValue(),
                    v.isCalled(), v.settings());
        }
    }

}
