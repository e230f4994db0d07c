package dev.sockact.daemon;

import static dev.sockact.daemon.UnitRelations.Relation.BEFORE;
import static dev.sockact.daemon.UnitRelations.Relation.CONFLICTS;
import static dev.sockact.daemon.UnitRelations.Relation.NEEDS;
import static dev.sockact.daemon.UnitRelations.Relation.STOPPED_WITH;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sockact.unit.UnitInfo;

import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The reverse lookups Jobs makes, as units come, go and are reloaded with other settings. */
class UnitRelationsTest {
    /** A unit whose settings the test sets, and sets again as a reload would. */
    private static final class Unit implements ManagedUnit {
        private final String name;
        private UnitInfo info;

        Unit(String name, Consumer<UnitInfo.Builder> settings) {
            this.name = name;
            reload(settings);
        }

        void reload(Consumer<UnitInfo.Builder> settings) {
            UnitInfo.Builder builder = new UnitInfo.Builder();
            settings.accept(builder);
            info = builder.build();
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public UnitInfo info() {
            return info;
        }

        @Override
        public ActiveState activeState() {
            return ActiveState.INACTIVE;
        }

        @Override
        public StartChecks startChecks() {
            return new StartChecks();
        }

        @Override
        public void start() {
        }

        @Override
        public void stop() {
        }

        @Override
        public void resetFailed() {
        }
    }

    @Test
    void eachRelationFindsTheUnitsThatNameAUnitInIt() {
        Unit web = new Unit("web.service", b -> {
            b.before().add("log.service");
            b.conflicts().add("old.service");
            b.requires().add("db.service");
            b.partOf().add("app.target");
        });
        Unit worker = new Unit("worker.service", b -> {
            b.wants().add("db.service");
            b.bindsTo().add("queue.service");
        });
        Unit plain = new Unit("plain.service", b -> { });
        UnitRelations relations = new UnitRelations();
        relations.add(web);
        relations.add(worker);
        relations.add(plain);

        assertThat(relations.naming(BEFORE, "log.service")).containsExactly(web);
        assertThat(relations.naming(CONFLICTS, "old.service")).containsExactly(web);
        assertThat(relations.naming(STOPPED_WITH, "db.service")).containsExactly(web);   // Wants= does not stop
        assertThat(relations.naming(STOPPED_WITH, "app.target")).containsExactly(web);
        assertThat(relations.naming(STOPPED_WITH, "queue.service")).containsExactly(worker);
        assertThat(relations.naming(NEEDS, "db.service")).containsExactly(web, worker);
        assertThat(relations.naming(NEEDS, "app.target")).isEmpty();                  // PartOf= does not need
        assertThat(relations.naming(BEFORE, "web.service")).isEmpty();
        assertThat(relations.bindingOrUnneeded()).containsExactly(worker);
    }

    @Test
    void aRemovedUnitIsForgottenAndAReloadedOneIsFoundByItsNewSettingsOnly() {
        Unit web = new Unit("web.service", b -> b.before().add("log.service"));
        Unit other = new Unit("other.service", b -> b.before().add("log.service"));
        UnitRelations relations = new UnitRelations();
        relations.add(web);
        relations.add(other);

        relations.remove(other);
        assertThat(relations.naming(BEFORE, "log.service")).containsExactly(web);

        web.reload(b -> {
            b.before().add("mail.service");
            b.stopWhenUnneeded(true);
        });
        relations.add(web);   // indexed again, as the registry does after a reload
        assertThat(relations.naming(BEFORE, "log.service")).isEmpty();
        assertThat(relations.naming(BEFORE, "mail.service")).containsExactly(web);
        assertThat(relations.bindingOrUnneeded()).containsExactly(web);

        relations.remove(web);
        relations.remove(web);   // twice is harmless
        assertThat(relations.naming(BEFORE, "mail.service")).isEmpty();
        assertThat(relations.bindingOrUnneeded()).isEmpty();
    }
}
