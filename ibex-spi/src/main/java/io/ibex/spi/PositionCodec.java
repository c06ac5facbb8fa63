package io.ibex.spi;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The one place that turns a position into the repository's text and back. The stored form is the kind, a
 * slash and the kind's text ("lsn/0/16B3748"); a position of the {@link #BARE_KIND} is stored as its text alone,
 * as every repository before position kinds holds it (a bare txid snapshot starts with a digit, a kind with a letter).
 */
public final class PositionCodec {

    /** The kind whose positions are stored without a prefix: the trigger capture's txid snapshots. */
    public static final String BARE_KIND = "txid_snapshot";

    /** Per position kind, how to read its text. */
    private final Map<String, Function<String, Position>> byKind;

    public PositionCodec(Map<String, Function<String, Position>> byKind) {
        this.byKind = Map.copyOf(byKind);
    }

    /** A codec for the positions of the given captures. */
    public static PositionCodec of(List<ChangeSource> sources) {
        return new PositionCodec(sources.stream().collect(Collectors.toMap(ChangeSource::positionKind, s -> s::position)));
    }

    public String encode(Position p) {
        return BARE_KIND.equals(p.kind()) ? p.text() : p.kind() + "/" + p.text();
    }

    public Position decode(String stored) {
        String kind = BARE_KIND;
        String text = stored;
        int slash = stored.indexOf('/');
        if (!stored.isEmpty() && Character.isLetter(stored.charAt(0)) && slash > 0) {
            kind = stored.substring(0, slash);
            text = stored.substring(slash + 1);
        }
        Function<String, Position> reader = byKind.get(kind);
        if (reader == null) {
            throw new IllegalArgumentException("a position of kind \"" + kind + "\", which no installed capture reads: " + stored);
        }
        return reader.apply(text);
    }
}
