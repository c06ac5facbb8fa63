package io.ibex.cli;

import io.ibex.IbexException;

import java.util.List;

/** Sends each verb to the class that runs it. */
final class Commands {
    private Commands() {
    }

    static int dispatch(Context ctx, String verb, List<String> rest) {
        return switch (verb) {
            case "install" -> AdminCommands.install(ctx, rest);
            case "upgrade" -> AdminCommands.upgrade(ctx, rest);
            case "add" -> AddCommand.run(ctx, rest);
            case "list" -> ListCommand.run(ctx, rest);
            case "update" -> ChangeCommands.update(ctx, rest);
            case "remove" -> ChangeCommands.remove(ctx, rest);
            case "activate", "deactivate", "pause", "resume" -> ChangeCommands.setState(ctx, verb, rest);
            case "status" -> StatusCommand.run(ctx, rest);
            case "start" -> DaemonCommands.start(ctx, rest);
            case "stop" -> DaemonStop.stop(ctx, rest);
            case "restart" -> DaemonCommands.restart(ctx, rest);
            case "daemon" -> DaemonCommands.daemon(ctx, rest);
            case "kick" -> KickCommand.run(ctx, rest);
            case "ping" -> DaemonCommands.ping(ctx, rest);
            case "validate" -> AdminCommands.validate(ctx, rest);
            case "inspect" -> InspectCommand.run(ctx, rest);
            case "verify" -> VerifyCommand.verify(ctx, rest);
            case "copy" -> CopyCommand.run(ctx, rest);
            case "cutover" -> VerifyCommand.cutover(ctx, rest);
            case "delta" -> MaintenanceCommands.delta(ctx, rest);
            case "purge" -> MaintenanceCommands.purge(ctx, rest);
            case "ddl" -> MaintenanceCommands.ddl(ctx, rest);
            case "set" -> MaintenanceCommands.set(ctx, rest);
            case "show" -> MaintenanceCommands.show(ctx, rest);
            case "sql" -> MaintenanceCommands.sql(ctx, rest);
            case "message" -> AdminCommands.message(ctx, rest);
            case "reload" -> AdminCommands.reload(ctx, rest);
            case "check" -> WatchCommands.check(ctx, rest);
            case "reopen" -> WatchCommands.reopen(ctx, rest);
            case "demo" -> AdminCommands.demo(ctx, rest);
            default -> throw new IbexException("unknown command \"" + verb + "\": run 'ibex help' for the list of commands");
        };
    }

    /** Fails if any key=value was given to a command that takes none. */
    static void noParams(String command, Words w) {
        if (!w.params().isEmpty()) {
            throw new IbexException(command + ": unknown parameter" + (w.params().size() > 1 ? "s " : " ")
                    + String.join(", ", w.params().keySet()));
        }
    }

    /** The db= (or database=) of a table command, taken out of the parameters; null when not given. */
    static String takeDb(Words w) {
        String db = w.params().remove("db");
        String database = w.params().remove("database");
        return db != null ? db : database;
    }

    /** Fails if words are left that the command does not take. */
    static void noMoreNames(String command, List<String> names) {
        if (!names.isEmpty()) {
            throw new IbexException(command + ": unexpected " + (names.size() > 1 ? "words " : "word ")
                    + String.join(" ", names.stream().map(n -> "\"" + n + "\"").toList()) + " (see 'ibex help " + command.split(" ")[0] + "')");
        }
    }

    /**
     * An integer key=value (removed from the map), the default when absent; fails in one line when it is not a
     * whole number of at least min.
     */
    static int intParam(String command, java.util.Map<String, String> params, String key, int defaultValue, int min) {
        String text = params.remove(key);
        if (text == null) {
            return defaultValue;
        }
        try {
            int v = Integer.parseInt(text.strip());
            if (v >= min) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IbexException(command + ": " + key + " must be a whole number of at least " + min + ", not " + quote(text));
    }

    static String quote(String s) {
        return "\"" + s + "\"";
    }
}
