package io.ibex.db;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** The pgjdbc URL of a PostgreSQL database: for the repository's connection and the PostgreSQL target adapter. */
public final class PostgresUrl {
    private PostgresUrl() {
    }

    public static String of(String host, int port, String dbname) {
        String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        return "jdbc:postgresql://" + h + ":" + port + "/" + urlEncode(dbname);
    }

    private static String urlEncode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
