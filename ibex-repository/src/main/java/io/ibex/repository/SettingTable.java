package io.ibex.repository;

import io.ibex.db.Pg;

import java.sql.Connection;
import java.util.LinkedHashMap;
import java.util.Map;

import static io.ibex.repository.Jdbc.call;

/** Table {@code ibex.setting}: the settings stored with {@code ibex set}, as names and text values. */
public final class SettingTable {

    private final Connection c;

    SettingTable(Connection c) {
        this.c = c;
    }

    public Map<String, String> settings() {
        Map<String, String> out = new LinkedHashMap<>();
        call(() -> Pg.query(c, "SELECT name, value FROM ibex.setting ORDER BY name", rs -> out.put(rs.getString(1), rs.getString(2))));
        return out;
    }

    public void setSetting(String name, String value) {
        call(() -> {
            if (Pg.update(c, "UPDATE ibex.setting SET value = ? WHERE name = ?", value, name) == 0) {
                Pg.update(c, "INSERT INTO ibex.setting (name, value) VALUES (?, ?)", name, value);
            }
            return null;
        });
    }
}
