package dev.sockact.unit;

/** Whether units are read for the system manager or a per-user manager; specifiers resolve differently. */
public enum ManagerScope {
    SYSTEM, USER
}
