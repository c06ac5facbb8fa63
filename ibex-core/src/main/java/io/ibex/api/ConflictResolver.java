package io.ibex.api;

/**
 * The former name of {@link io.ibex.spi.ConflictResolver}: a resolver written against it still compiles (its
 * {@code Conflict} is the new interface's) and still loads. Write new ones against io.ibex.spi.ConflictResolver.
 */
@Deprecated
public interface ConflictResolver extends io.ibex.spi.ConflictResolver {
}
