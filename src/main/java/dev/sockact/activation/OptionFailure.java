package dev.sockact.activation;

import dev.sockact.posix.ErrnoException;

/**
 * A socket option the kernel refused where systemd only warns and the socket still starts.
 *
 * @param option the option as systemd names it, e.g. {@code SO_MARK}
 * @param port   the port it was set on, as {@code socket_address_print()} prints it
 */
public record OptionFailure(String option, String port, ErrnoException error) {
    /** {@code Failed to set SO_MARK on [::]:80: EPERM (Operation not permitted)}. */
    public String message() {
        return "Failed to set " + option + " on " + port + ": " + error.reason();
    }
}
