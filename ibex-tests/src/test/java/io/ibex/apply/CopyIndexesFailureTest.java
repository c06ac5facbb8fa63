package io.ibex.apply;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A table whose indexes could not be built again after a copy keeps them on its next copies, unless its rows were at fault. */
class CopyIndexesFailureTest {

    @Test
    void aDefinitionErrorIsRememberedADuplicateKeyOrALostConnectionIsNot() {
        CopyIndexes.failed("db1", "\"s\".\"dup\"", "k: could not create unique index", "23505");
        CopyIndexes.failed("db1", "\"s\".\"gone\"", "k: terminating connection", "57P01");
        CopyIndexes.failed("db1", "\"s\".\"io\"", "k: An I/O error occurred", null);
        CopyIndexes.failed("db1", "\"s\".\"def\"", "k: permission denied for tablespace x", "42501");
        assertThat(CopyIndexes.failedBefore("db1", "\"s\".\"dup\"")).isNull();
        assertThat(CopyIndexes.failedBefore("db1", "\"s\".\"gone\"")).isNull();
        assertThat(CopyIndexes.failedBefore("db1", "\"s\".\"io\"")).isNull();
        assertThat(CopyIndexes.failedBefore("db1", "\"s\".\"def\"")).contains("permission denied for tablespace x");
        assertThat(CopyIndexes.failedBefore("db2", "\"s\".\"def\"")).isNull();
    }
}
