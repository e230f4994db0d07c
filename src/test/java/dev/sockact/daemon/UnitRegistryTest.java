package dev.sockact.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sockact.unit.ManagerScope;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading units from the unit folders into the registry, without starting any. */
class UnitRegistryTest {
    @TempDir
    Path dir;

    private UnitRegistry registry(FakeUnitContext context) {
        return new UnitRegistry(List.of(dir), ManagerScope.USER, context, new UnitJournal());
    }

    private void socket(String name, String service) throws Exception {
        Files.writeString(dir.resolve(name), "[Socket]\nListenStream=" + dir.resolve(name + ".sock")
                + (service == null ? "" : "\nService=" + service) + "\n");
    }

    @Test
    void loadsEverySocketWithItsServiceSharedAndSkipsWhatDoesNotLoad() throws Exception {
        socket("a.socket", "shared.service");
        socket("b.socket", "shared.service");
        socket("broken.socket", null);   // its broken.service is missing
        Files.writeString(dir.resolve("shared.service"), "[Service]\nExecStart=/bin/true\n");
        try (FakeUnitContext context = new FakeUnitContext(dir)) {
            UnitRegistry registry = registry(context);
            assertThat(registry.loadAll(() -> false)).isEqualTo(2);
            assertThat(registry.sockets()).containsOnlyKeys("a.socket", "b.socket");
            assertThat(registry.services()).containsOnlyKeys("shared.service");
            assertThat(registry.sockets().get("a.socket").service())
                    .isSameAs(registry.sockets().get("b.socket").service());
            assertThat(registry.units()).extracting(ManagedUnit::name)
                    .containsExactly("a.socket", "b.socket", "shared.service");
        }
    }

    @Test
    void anAliasLinkIsNotASecondUnit() throws Exception {
        socket("a.socket", "a.service");
        Files.writeString(dir.resolve("a.service"), "[Service]\nExecStart=/bin/true\n");
        Files.createSymbolicLink(dir.resolve("alias.socket"), dir.resolve("a.socket"));
        try (FakeUnitContext context = new FakeUnitContext(dir)) {
            UnitRegistry registry = registry(context);
            assertThat(registry.socketNames()).containsExactly("a.socket");
        }
    }

    @Test
    void unitsOfOtherTypesAndTemplatesAreNotLoadedOnDemand() throws Exception {
        Files.writeString(dir.resolve("dep.service"), "[Service]\nExecStart=/bin/true\n");
        Files.writeString(dir.resolve("tpl@.service"), "[Service]\nExecStart=/bin/true\n");
        try (FakeUnitContext context = new FakeUnitContext(dir)) {
            UnitRegistry registry = registry(context);
            registry.loadAll(() -> false);
            assertThat(registry.unitNamed("dep.service")).isNotNull();
            assertThat(registry.loaded("dep.service")).isSameAs(registry.unitNamed("dep.service"));
            assertThat(registry.unitNamed("tpl@.service")).isNull();
            assertThat(registry.unitNamed("network.target")).isNull();
            assertThat(registry.unitNamed("missing.service")).isNull();
            assertThat(UnitRegistry.supportedType("x.mount")).isFalse();
        }
    }
}
