package io.ibex.engine;

import io.ibex.IbexException;
import io.ibex.spi.CustomCode;

/** Loads the classes named in {@code ibex add customcode ... class=}: the daemon, and the command that checks them. */
public final class CustomCodeClasses {

    private CustomCodeClasses() {
    }

    /** A new instance of a custom code class; a one-line error if it cannot be had. */
    public static CustomCode instantiate(String className) {
        try {
            Class<?> c = Class.forName(className, true, Thread.currentThread().getContextClassLoader());
            if (!CustomCode.class.isAssignableFrom(c)) {
                throw new IbexException("custom code class " + className + " does not implement " + CustomCode.class.getName());
            }
            return (CustomCode) c.getDeclaredConstructor().newInstance();
        } catch (ClassNotFoundException e) {
            throw new IbexException("custom code class " + className + " is not on the class path (set IBEX_CLASSPATH)");
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new IbexException("cannot create custom code " + className + ": " + e);
        }
    }
}
