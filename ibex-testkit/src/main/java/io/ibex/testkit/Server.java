package io.ibex.testkit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A static {@code PostgresServer} field that {@link ServersPerClass} fills with a server of this version, started
 * before the class's first test and closed after its last: {@code @Server("9.6") static PostgresServer source;}.
 * One field used as source and target is one server; two fields are two servers.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface Server {

    /** The PostgreSQL version: "17", "10", "9.6", "9.5" or "9.3". */
    String value();

    /** Extra server settings, each "name=value" (postgresql.conf names). */
    String[] settings() default {};
}
