package dev.sockact.unit.parse;

import dev.sockact.unit.HostInfo;
import dev.sockact.unit.ManagerScope;
import dev.sockact.unit.UnitName;

import java.nio.file.Path;
import java.util.Map;

/** A fixed host so specifier expansions in tests do not depend on the machine. */
public final class TestContexts {

    public static final HostInfo HOST = new HostInfo(ManagerScope.SYSTEM, "host.example.org", "m1d", "b00t",
            "6.1.0", "x86-64", Map.of("ID", "debian", "VERSION_ID", "12"), "Pretty Host", "root", 0, "root", 0,
            "/root", "/bin/sh", "/run", "/etc", "/var/lib", "/var/cache", "/var/log", "/tmp");

    private TestContexts() {
    }

    public static ParseContext context(String unit, String key) {
        UnitName name = UnitName.of(unit);
        return new ParseContext(name, new Specifiers(name, Path.of("/etc/systemd/system/" + unit), HOST), key);
    }

    public static ParseContext context(String key) {
        return context("foo.socket", key);
    }
}
