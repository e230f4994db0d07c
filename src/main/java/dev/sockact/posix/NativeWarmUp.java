package dev.sockact.posix;

/**
 * Starts linking the native layer on a background thread, first thing in every tool's main: socket activation
 * waits for us, and linking is most of a cold start. Kept out of {@link Native} so that calling it does not
 * initialize Native (and the JDK's FFM classes) on the main thread, which meanwhile parses the command line.
 */
public final class NativeWarmUp {
    private NativeWarmUp() {
        throw new AssertionError();
    }

    public static void start() {
        Thread.ofPlatform().daemon().name("ffm-warm-up").start(Native::warmUp);
    }
}
