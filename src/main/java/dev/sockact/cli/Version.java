package dev.sockact.cli;

/** The one version string every command prints for --version. */
final class Version {
    static final String NUMBER = "0.1.0";

    private Version() {
        throw new AssertionError();
    }

    static String of(String command) {
        return "sockact " + NUMBER + " (" + command + ")";
    }
}
