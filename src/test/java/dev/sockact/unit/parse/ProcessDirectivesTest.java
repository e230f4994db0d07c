package dev.sockact.unit.parse;

import dev.sockact.unit.Capabilities;
import dev.sockact.unit.ProcessSettings;
import dev.sockact.unit.ProcessSettings.IoClass;
import dev.sockact.unit.ProcessSettings.SchedulingPolicy;
import dev.sockact.unit.ProcessSettings.SecureBit;
import dev.sockact.unit.ResourceLimit;
import dev.sockact.unit.ServiceUnit;
import dev.sockact.unit.UnitName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The process settings of [Service] parsed as systemd 252's load-fragment.c and rlimit-util.c parse them. */
class ProcessDirectivesTest {

    /** Applies {@code key=value} lines in order, as a unit file would. */
    private static ProcessSettings parse(String... lines) throws InvalidValueException {
        ServiceUnit.Builder builder = new ServiceUnit.Builder(UnitName.of("foo.service"));
        for (String line : lines) {
            int eq = line.indexOf('=');
            String key = line.substring(0, eq);
            ServiceDirectives.SERVICE.get(key).handler().apply(builder, line.substring(eq + 1),
                    TestContexts.context("foo.service", key));
        }
        return builder.build().process();
    }

    private static ResourceLimit.Value limit(String line, ResourceLimit limit) throws InvalidValueException {
        return parse(line).limits().get(limit);
    }

    private static void rejected(String line, String message) {
        assertThatThrownBy(() -> parse(line)).isInstanceOf(InvalidValueException.class).hasMessage(message)
                .matches(e -> !((InvalidValueException) e).isFatal());
    }

    @Test
    void everyLimitKeyIsHonoured() {
        for (ResourceLimit limit : ResourceLimit.values()) {
            assertThat(ServiceDirectives.SERVICE.get(limit.key()).support()).as(limit.key())
                    .isEqualTo(DirectiveTable.Support.HONOURED);
        }
        assertThat(ResourceLimit.values()).hasSize(16);
    }

    @Test
    void limitsTakeOneValueOrSoftColonHardWithEachKindsUnits() throws InvalidValueException {
        assertThat(limit("LimitNOFILE=1024", ResourceLimit.NOFILE)).isEqualTo(new ResourceLimit.Value(1024, 1024));
        assertThat(limit("LimitNOFILE=1024:4096", ResourceLimit.NOFILE))
                .isEqualTo(new ResourceLimit.Value(1024, 4096));
        assertThat(limit("LimitNOFILE=infinity", ResourceLimit.NOFILE))
                .isEqualTo(new ResourceLimit.Value(ResourceLimit.INFINITY, ResourceLimit.INFINITY));
        assertThat(limit("LimitCORE=0:infinity", ResourceLimit.CORE))
                .isEqualTo(new ResourceLimit.Value(0, ResourceLimit.INFINITY));
        assertThat(limit("LimitAS=16G", ResourceLimit.AS)).isEqualTo(new ResourceLimit.Value(16L << 30, 16L << 30));
        assertThat(limit("LimitMEMLOCK=64K:1M", ResourceLimit.MEMLOCK))
                .isEqualTo(new ResourceLimit.Value(64 << 10, 1 << 20));
        // CPU is seconds, rounded up; RTTIME is microseconds.
        assertThat(limit("LimitCPU=1min", ResourceLimit.CPU)).isEqualTo(new ResourceLimit.Value(60, 60));
        assertThat(limit("LimitCPU=1500ms", ResourceLimit.CPU)).isEqualTo(new ResourceLimit.Value(2, 2));
        assertThat(limit("LimitCPU=30", ResourceLimit.CPU)).isEqualTo(new ResourceLimit.Value(30, 30));
        assertThat(limit("LimitRTTIME=5ms:1s", ResourceLimit.RTTIME))
                .isEqualTo(new ResourceLimit.Value(5000, 1_000_000));
        assertThat(limit("LimitRTTIME=200", ResourceLimit.RTTIME)).isEqualTo(new ResourceLimit.Value(200, 200));
        // NICE: raw 0..40, or a nice level with a sign.
        assertThat(limit("LimitNICE=+10", ResourceLimit.NICE)).isEqualTo(new ResourceLimit.Value(10, 10));
        assertThat(limit("LimitNICE=-5", ResourceLimit.NICE)).isEqualTo(new ResourceLimit.Value(25, 25));
        assertThat(limit("LimitNICE=40", ResourceLimit.NICE)).isEqualTo(new ResourceLimit.Value(40, 40));
    }

    @Test
    void badLimitsAreIgnoredWithSystemdsMessage() {
        rejected("LimitNOFILE=2048:1024", "Failed to parse resource value, ignoring: 2048:1024");
        // Counts take no size suffixes in systemd (rlimit_parse_u64): only byte limits do.
        rejected("LimitNOFILE=64K", "Failed to parse resource value, ignoring: 64K");
        rejected("LimitNOFILE=1:2:3", "Failed to parse resource value, ignoring: 1:2:3");
        rejected("LimitNOFILE=", "Failed to parse resource value, ignoring: ");
        rejected("LimitNICE=41", "Failed to parse resource value, ignoring: 41");
        rejected("LimitNICE=+20", "Failed to parse resource value, ignoring: +20");
        rejected("LimitNPROC=-1", "Failed to parse resource value, ignoring: -1");
    }

    @Test
    void schedulingSettings() throws InvalidValueException {
        ProcessSettings s = parse("Nice=-5", "OOMScoreAdjust=500", "IOSchedulingClass=idle",
                "CPUSchedulingPolicy=batch", "CPUAffinity=0 2-3", "CPUAffinity=5,1");
        assertThat(s.nice()).isEqualTo(-5);
        assertThat(s.oomScoreAdjust()).isEqualTo(500);
        assertThat(s.ioScheduling()).isEqualTo(new ProcessSettings.IoScheduling(IoClass.IDLE, 4));
        assertThat(s.cpuScheduling()).isEqualTo(new ProcessSettings.CpuScheduling(SchedulingPolicy.BATCH, 0, false));
        assertThat(s.cpuAffinity()).containsExactly(0, 1, 2, 3, 5);
        assertThat(parse("IOSchedulingPriority=2").ioScheduling())
                .isEqualTo(new ProcessSettings.IoScheduling(IoClass.BEST_EFFORT, 2));
        assertThat(parse("CPUSchedulingPriority=10", "CPUSchedulingPolicy=fifo", "CPUSchedulingResetOnFork=yes")
                .cpuScheduling()).isEqualTo(new ProcessSettings.CpuScheduling(SchedulingPolicy.FIFO, 10, true));
        // A real-time policy without a priority gets the lowest of its range, as systemd clamps it.
        assertThat(parse("CPUSchedulingPolicy=rr").cpuScheduling().priority()).isEqualTo(1);
        assertThat(parse("CPUAffinity=1", "CPUAffinity=").cpuAffinity()).isEmpty();
        assertThat(ProcessSettings.NONE.nice()).isNull();
        assertThat(parse("IOSchedulingClass=realtime", "IOSchedulingClass=").ioScheduling()).isNull();
    }

    @Test
    void badSchedulingValuesAreIgnored() {
        rejected("Nice=20", "Failed to parse nice priority '20', ignoring: Numerical result out of range");
        rejected("OOMScoreAdjust=1001",
                "Failed to parse the OOM score adjust value '1001', ignoring: Numerical result out of range");
        rejected("IOSchedulingClass=fast", "Failed to parse IO scheduling class, ignoring: fast");
        rejected("IOSchedulingPriority=8", "Failed to parse IO priority, ignoring: 8");
        rejected("CPUSchedulingPolicy=deadline", "Failed to parse CPU scheduling policy, ignoring: deadline");
        rejected("CPUSchedulingPriority=100", "CPU scheduling priority is out of range, ignoring: 100");
        rejected("CPUAffinity=3-1", "Failed to parse CPU affinity '3-1', ignoring: Numerical result out of range");
    }

    @Test
    void capabilitySetsAddInvertAndReset() throws InvalidValueException {
        long bind = 1L << 10;
        long raw = 1L << 13;
        assertThat(ProcessSettings.NONE.capabilityBoundingSet()).isEqualTo(Capabilities.ALL);
        assertThat(parse("CapabilityBoundingSet=CAP_NET_BIND_SERVICE").capabilityBoundingSet().mask()).isEqualTo(bind);
        assertThat(parse("CapabilityBoundingSet=CAP_NET_BIND_SERVICE", "CapabilityBoundingSet=cap_net_raw")
                .capabilityBoundingSet().mask()).isEqualTo(bind | raw);
        assertThat(parse("CapabilityBoundingSet=~CAP_NET_RAW").capabilityBoundingSet())
                .isEqualTo(new Capabilities(raw).inverted());
        assertThat(parse("CapabilityBoundingSet=CAP_NET_BIND_SERVICE CAP_NET_RAW", "CapabilityBoundingSet=~CAP_NET_RAW")
                .capabilityBoundingSet().mask()).isEqualTo(bind);
        assertThat(parse("CapabilityBoundingSet=").capabilityBoundingSet()).isEqualTo(Capabilities.NONE);
        assertThat(parse("AmbientCapabilities=CAP_NET_BIND_SERVICE").ambientCapabilities().format())
                .isEqualTo("CAP_NET_BIND_SERVICE");
        assertThat(parse("AmbientCapabilities=CAP_KILL", "AmbientCapabilities=").ambientCapabilities().isEmpty())
                .isTrue();
        rejected("AmbientCapabilities=CAP_FLY",
                "Failed to parse AmbientCapabilities= specifier 'CAP_FLY', ignoring: Invalid argument");
    }

    @Test
    void groupsBitsPrivilegesAndKeyring() throws InvalidValueException {
        ProcessSettings s = parse("SupplementaryGroups=adm 4", "SupplementaryGroups=users", "NoNewPrivileges=yes",
                "SecureBits=noroot keep-caps-locked", "KeyringMode=private");
        assertThat(s.supplementaryGroups()).containsExactly("adm", "4", "users");
        assertThat(s.noNewPrivileges()).isTrue();
        assertThat(s.secureBits()).isEqualTo(Set.of(SecureBit.NOROOT, SecureBit.KEEP_CAPS_LOCKED));
        assertThat(s.keyringMode()).isEqualTo(ProcessSettings.KeyringMode.PRIVATE);
        assertThat(parse("SupplementaryGroups=adm", "SupplementaryGroups=").supplementaryGroups()).isEqualTo(List.of());
        rejected("SecureBits=noroot sometimes", "Invalid syntax, ignoring: noroot sometimes");
        rejected("KeyringMode=public", "Failed to parse keyring mode, ignoring: public");
    }

    @Test
    void aUnitWithNoProcessSettingsSharesNoneAndOneWithAnyHasItsOwn() throws InvalidValueException {
        ProcessSettings none = new ServiceUnit.Builder(UnitName.of("foo.service")).build().process();
        assertThat(none).isSameAs(ProcessSettings.NONE);
        assertThat(none.isNone()).isTrue();
        assertThat(parse("Nice=5").isNone()).isFalse();
        assertThat(parse("NoNewPrivileges=yes").isNone()).isFalse();
        assertThat(parse("LimitNOFILE=1024").isNone()).isFalse();
    }
}
