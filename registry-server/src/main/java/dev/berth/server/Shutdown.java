package dev.berth.server;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;

/**
 * How the server stops: once, whichever asks first (SIGTERM, SIGINT, or the JVM's shutdown hook), the others waiting
 * for it to finish. On SIGTERM and SIGINT the process then exits with 0, as registry:2 does after its drain (the JVM's
 * own handler would exit with 128 + the signal's number, 143 for SIGTERM, after the same shutdown hooks), or with 1 when
 * stopping failed.
 *
 * <p>The signals are taken with {@code sun.misc.Signal} (module {@code jdk.unsupported}, there since Java 6), looked
 * up reflectively because javac warns about every reference to it and the build treats warnings as errors. Where it is
 * missing or refuses a signal (the JVM started with {@code -Xrs}, or a signal the JVM reserves), the JVM's default
 * stays: the shutdown hook still drains, the exit status is then 128 + the signal's number. A signal ignored when the
 * JVM started (SIGINT of a process started in the background by a shell) stays ignored.
 */
final class Shutdown {
    /** The signals that stop the server with exit status 0. */
    static final List<String> SIGNALS = List.of("TERM", "INT");

    private final BooleanSupplier stop;
    private final Logger log;
    private final AtomicBoolean started = new AtomicBoolean();
    private final Object lock = new Object();
    private boolean done;
    private boolean failed;

    /**
     * {@code stop} drains and closes the server, logs what fails and flushes the log (nothing can be logged after it),
     * and says whether all went well; it runs once. {@code log} is for what happens before, when taking the signals.
     */
    Shutdown(BooleanSupplier stop, Logger log) {
        this.stop = stop;
        this.log = log;
    }

    /**
     * Stops the server, once: the first caller runs the stop, later and concurrent ones wait until it is done.
     * Returns whether it went through without an exception.
     */
    boolean stop() {
        if (started.compareAndSet(false, true)) {
            boolean ok = false;
            try {
                ok = stop.getAsBoolean();
            } finally {
                synchronized (lock) {
                    done = true;
                    failed = !ok;
                    lock.notifyAll();
                }
            }
            return ok;
        }
        synchronized (lock) {
            boolean interrupted = false;
            while (!done) {
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            return !failed;
        }
    }

    /** Registers the JVM shutdown hook, which stops the server when the JVM exits for any other reason. */
    void onJvmExit() {
        Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "berth-shutdown"));
    }

    /**
     * Takes SIGTERM and SIGINT: the server stops, then the JVM exits with 0 (1 when stopping failed) through
     * {@link System#exit}, so the other shutdown hooks still run. Returns the signals taken.
     */
    List<String> exitOnSignals() {
        Class<?> signal;
        Class<?> handler;
        try {
            signal = Class.forName("sun.misc.Signal");
            handler = Class.forName("sun.misc.SignalHandler");
        } catch (ClassNotFoundException | LinkageError e) {
            return List.of();
        }
        InvocationHandler onSignal = (proxy, method, args) -> {
            switch (method.getName()) {
                case "handle" -> exitAfterStop();
                case "hashCode" -> {
                    return System.identityHashCode(proxy);
                }
                case "equals" -> {
                    return proxy == args[0];
                }
                case "toString" -> {
                    return "berth's exit on signal";
                }
                default -> {
                    // no other method in SignalHandler
                }
            }
            return null;
        };
        Object proxy = Proxy.newProxyInstance(handler.getClassLoader(), new Class<?>[] {handler}, onSignal);
        List<String> taken = new ArrayList<>();
        for (String name : SIGNALS) {
            try {
                Object s = signal.getConstructor(String.class).newInstance(name);
                Method handle = signal.getMethod("handle", signal, handler);
                handle.invoke(null, s, proxy);
                taken.add(name);
            } catch (ReflectiveOperationException | RuntimeException e) {
                // -Xrs, or a JVM that keeps the signal: its default (the shutdown hook, exit 128 + n) stays
                log.debug("SIG{} left to the JVM: {}", name, e);
            }
        }
        return List.copyOf(taken);
    }

    private void exitAfterStop() {
        System.exit(stop() ? 0 : 1);
    }
}
