package dev.sockact.ctl;

/** One listen address of a socket, as systemctl prints it ({@code 127.0.0.1:80}), and its type ({@code Stream}). */
public record ListenEntry(String address, String type) {
}
