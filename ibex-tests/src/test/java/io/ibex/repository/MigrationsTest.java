package io.ibex.repository;

import org.junit.jupiter.api.Test;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The migration files are numbered 2, 3, ... without a gap, so that the version this code needs is the last one. */
class MigrationsTest {

    private static final Pattern NAME = Pattern.compile("migration-(\\d+)\\.sql");

    @Test
    void migrationsAreNumberedFromTwoWithoutGaps() throws Exception {
        List<Integer> numbers;
        try (Stream<Path> files = Files.list(migrationsDirectory())) {
            numbers = files.map(f -> f.getFileName().toString()).map(n -> {
                Matcher m = NAME.matcher(n);
                assertThat(m.matches()).as("%s is named migration-N.sql", n).isTrue();
                return Integer.parseInt(m.group(1));
            }).sorted().toList();
        }
        assertThat(numbers).isNotEmpty();
        for (int i = 0; i < numbers.size(); i++) {
            assertThat(numbers.get(i)).as("migration number").isEqualTo(i + 2);
        }
        assertThat(Migrations.LATEST).isEqualTo(numbers.size() + 1).isEqualTo(Repository.SCHEMA_VERSION);
    }

    private static Path migrationsDirectory() throws URISyntaxException {
        return Path.of(Migrations.class.getResource("migrations").toURI());
    }
}
