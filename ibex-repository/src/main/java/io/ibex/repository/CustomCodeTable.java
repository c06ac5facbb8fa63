package io.ibex.repository;

import io.ibex.db.Pg;
import io.ibex.model.CustomCodeEntry;

import java.sql.Connection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static io.ibex.repository.Jdbc.call;

/** Table {@code ibex.customcode}: the custom code registered with {@code ibex add customcode}. */
public final class CustomCodeTable {

    /** The columns {@link #update} may set. */
    public static final Set<String> COLUMNS = Set.of("whenrun", "class", "sync", "relation", "priority");
    private static final String SELECT = "SELECT name, whenrun, class, sync, relation, priority FROM ibex.customcode";

    private final Connection c;

    CustomCodeTable(Connection c) {
        this.c = c;
    }

    public void add(CustomCodeEntry e) {
        call(() -> Pg.update(c, "INSERT INTO ibex.customcode (name, whenrun, class, sync, relation, priority) VALUES (?, ?, ?, ?, ?, ?)",
                e.name(), e.whenrun(), e.className(), e.sync(), e.relation(), e.priority()));
    }

    public Optional<CustomCodeEntry> get(String name) {
        return list().stream().filter(e -> e.name().equals(name)).findFirst();
    }

    /** Every entry, in the order a chain runs them: priority, then name. */
    public List<CustomCodeEntry> list() {
        return call(() -> Pg.query(c, SELECT + " ORDER BY priority, name", rs -> new CustomCodeEntry(rs.getString(1), rs.getString(2),
                rs.getString(3), rs.getString(4), rs.getString(5), rs.getInt(6))));
    }

    /** Replaces an entry by name (its new fields checked by the caller). */
    public void replace(CustomCodeEntry e) {
        call(() -> Pg.update(c, "UPDATE ibex.customcode SET whenrun = ?, class = ?, sync = ?, relation = ?, priority = ? WHERE name = ?",
                e.whenrun(), e.className(), e.sync(), e.relation(), e.priority(), e.name()));
    }

    public boolean remove(String name) {
        return call(() -> Pg.update(c, "DELETE FROM ibex.customcode WHERE name = ?", name)) > 0;
    }
}
