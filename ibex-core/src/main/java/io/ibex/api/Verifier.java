package io.ibex.api;

import io.ibex.IbexException;
import io.ibex.db.Pg;
import io.ibex.engine.SyncPlan;
import io.ibex.engine.TargetTables;
import io.ibex.model.CustomColumns;
import io.ibex.model.Database;
import io.ibex.spi.TargetCapability;
import io.ibex.spi.TargetRegistry;
import io.ibex.verify.CompareOptions;
import io.ibex.verify.CompareResult;
import io.ibex.verify.ComparedTable;
import io.ibex.verify.TableComparer;
import io.ibex.verify.TableDigest;

import io.ibex.spi.Target;
import io.ibex.spi.TargetCapability;
import io.ibex.spi.TargetProvider;
import io.ibex.spi.TargetRegistry;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code ibex verify}: compares every table of a sync between its (first) source and every other database, by
 * key ranges, so that a difference is narrowed down to the keys that differ. A table without a key is compared
 * by row count and content hash only.
 */
final class Verifier {

    /** Progress of one table on one target: rows done of the estimate. */
    interface Progress {
        void update(String table, String target, long done, long total);
    }

    private Verifier() {
    }

    static Ibex.Verification verify(SyncPlan plan, List<CustomColumns> customColumns, List<String> only, int maxKeys, Progress progress) {
        Database source = plan.sources().get(0);
        List<Database> others = new ArrayList<>(plan.sources().subList(1, plan.sources().size()));
        plan.targets().forEach(m -> others.add(m.db()));
        List<SyncPlan.Table> tables = plan.tables().stream()
                .filter(t -> only.isEmpty() || only.contains(t.info().name()) || only.contains(t.info().qualifiedName())).toList();
        if (!only.isEmpty() && tables.size() < only.size()) {
            throw new IbexException("verify: not every table named is part of sync \"" + plan.sync().name() + "\"");
        }
        List<Ibex.TableVerification> out = new ArrayList<>();
        for (Database target : others) {
            TargetProvider provider = TargetRegistry.installed().require(target);
            if (!provider.can(TargetCapability.VERIFY_DIGEST) && !provider.can(TargetCapability.READ_ROWS)) {
                throw new IbexException("verify: database \"" + target.name() + "\" is of type " + target.type() + ", which verify cannot compare yet");
            }
        }
        for (Database target : others) {
            TargetProvider provider = TargetRegistry.installed().require(target);
            if (!provider.can(TargetCapability.VERIFY_DIGEST)) {
                out.addAll(compareValues(source, target, provider, tables, plan.customNamesOn(target.name()), maxKeys, progress));
                continue;
            }
            try (Connection s = source.connection().openOrFail(Ibex.APP, "database \"" + source.name() + "\"");
                 Connection t = target.connection().openOrFail(Ibex.APP, "database \"" + target.name() + "\"")) {
                SyncPlan lane = TargetTables.forTarget(plan, customColumns, target.name()); // the columns this target gets
                java.util.Map<String, io.ibex.model.CustomName> names = plan.customNamesOn(target.name());
                for (SyncPlan.Table table : lane.tables()) {
                    if (tables.stream().noneMatch(x -> x.info().qualifiedName().equals(table.info().qualifiedName()))) {
                        continue;
                    }
                    io.ibex.model.CustomName n = names.get(table.info().qualifiedName());
                    String[] onTarget = n == null ? new String[] {table.info().schema(), table.info().name()} : new String[] {n.schema(), n.name()};
                    out.add(compare(s, t, table, onTarget, target.name(), maxKeys, progress));
                }
            } catch (SQLException e) {
                throw new IbexException("verify: " + Pg.firstLine(e), e);
            }
        }
        return new Ibex.Verification(plan.sync().name(), source.name(), out);
    }

    /** A target of another kind: values compared (see ValueVerifier); a table without a key by its row count only. */
    private static List<Ibex.TableVerification> compareValues(Database source, Database target, TargetProvider provider,
                                                              List<SyncPlan.Table> tables, java.util.Map<String, io.ibex.model.CustomName> names,
                                                              int maxKeys, Progress progress) {
        if (!provider.can(TargetCapability.READ_ROWS)) {
            throw new IbexException("verify: database \"" + target.name() + "\" is of type " + target.type() + ", whose rows ibex cannot read back");
        }
        List<Ibex.TableVerification> out = new ArrayList<>();
        try (Connection s = source.connection().openOrFail(Ibex.APP, "database \"" + source.name() + "\"");
             Target t = provider.open(target, Ibex.APP)) {
            for (SyncPlan.Table table : tables) {
                String name = table.info().qualifiedName();
                CompareResult r = ValueVerifier.compare(s, t, table.info(), names.get(name), maxKeys);
                progress.update(name, target.name(), r.sourceRows(), r.sourceRows());
                out.add(new Ibex.TableVerification(name, target.name(), r.sourceRows(), r.targetRows(), r.identical(), r));
            }
        } catch (SQLException | IOException e) {
            throw new IbexException("verify: " + Pg.firstLine(e), e);
        }
        return out;
    }

    /** onTarget: the table's schema and name on the target (another than the source's under a customname). */
    private static Ibex.TableVerification compare(Connection s, Connection t, SyncPlan.Table table, String[] onTarget, String target, int maxKeys,
                                                  Progress progress) throws SQLException {
        String name = table.info().qualifiedName();
        if (table.info().keyColumns().isEmpty()) {
            TableDigest.Digest a = TableDigest.of(s, table.info().schema(), table.info().name(), List.of());
            TableDigest.Digest b = TableDigest.of(t, onTarget[0], onTarget[1], List.of());
            progress.update(name, target, a.rows(), a.rows());
            return new Ibex.TableVerification(name, target, a.rows(), b.rows(), a.equals(b), null);
        }
        CompareOptions options = CompareOptions.defaults().withMaxKeys(maxKeys)
                .withProgress((done, total) -> progress.update(name, target, done, total));
        try {
            CompareResult r = new TableComparer(options).compare(s, t, new ComparedTable(table.info().schema(), table.info().name(),
                    table.info().keyColumns(), table.info().columnNames(), table.info().selectList()), new ComparedTable(onTarget[0], onTarget[1],
                    table.info().keyColumns(), table.info().columnNames()));
            return new Ibex.TableVerification(name, target, r.sourceRows(), r.targetRows(), r.identical(), r);
        } catch (IllegalArgumentException e) {
            throw new IbexException("verify " + name + " on " + target + ": " + e.getMessage());
        }
    }

}
