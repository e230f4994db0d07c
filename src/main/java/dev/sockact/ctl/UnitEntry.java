package dev.sockact.ctl;

/** One loaded unit in {@code sockctl list-units}, with systemctl's columns. */
public record UnitEntry(String unit, String load, String active, String sub, String description) {
}
