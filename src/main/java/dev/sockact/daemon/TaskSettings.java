package dev.sockact.daemon;

import dev.sockact.posix.CallingThread;
import dev.sockact.posix.ErrnoException;
import dev.sockact.unit.ProcessSettings.CpuScheduling;
import dev.sockact.unit.ProcessSettings.IoScheduling;
import dev.sockact.unit.ProcessSettings.KeyringMode;

import java.util.List;

/**
 * The settings Linux keeps per task, which the thread that calls posix_spawn takes on so that the child starts with
 * them: Nice=, IOScheduling*=, CPUScheduling*=, CPUAffinity=, NoNewPrivileges= and KeyringMode=. Nothing runs
 * between fork and exec in a JVM, so this is how they are in place before the program's first instruction, at no
 * extra exec. Applied in the order of systemd's exec_child(); a failure is reported as the step it stands for.
 *
 * @param nice            or null
 * @param ioScheduling    or null
 * @param cpuScheduling   or null
 * @param cpuAffinity     empty when not set
 * @param keyringMode     null or {@code inherit} leave the session keyring as it is
 * @param keyringUid      owner of a new session keyring (User=), or -1
 * @param keyringGid      its group, or -1
 */
record TaskSettings(Integer nice, IoScheduling ioScheduling, CpuScheduling cpuScheduling, List<Integer> cpuAffinity,
                    boolean noNewPrivileges, KeyringMode keyringMode, int keyringUid, int keyringGid) {
    static final TaskSettings NONE = new TaskSettings(null, null, null, List.of(), false, null, -1, -1);

    TaskSettings {
        cpuAffinity = List.copyOf(cpuAffinity);
    }

    boolean isEmpty() {
        return equals(NONE);
    }

    /** For a command with the {@code +} prefix: no-new-privileges is sandboxing, which {@code +} lifts. */
    TaskSettings forCommand(boolean fullPrivileges) {
        return fullPrivileges && noNewPrivileges ? new TaskSettings(nice, ioScheduling, cpuScheduling, cpuAffinity,
                false, keyringMode, keyringUid, keyringGid) : this;
    }

    /** Gives the calling thread these settings; call it on a thread made for one spawn. */
    void applyToCallingThread() throws ExecStepException {
        if (nice != null) {
            apply(ExecStepException.Step.NICE, "Failed to set up process scheduling priority (nice level)",
                    () -> CallingThread.setNice(nice));
        }
        if (cpuScheduling != null) {
            apply(ExecStepException.Step.SETSCHEDULER, "Failed to set up CPU scheduling",
                    () -> CallingThread.setScheduler(cpuScheduling.policy().number(), cpuScheduling.priority(),
                            cpuScheduling.resetOnFork()));
        }
        if (!cpuAffinity.isEmpty()) {
            apply(ExecStepException.Step.CPUAFFINITY, "Failed to set up CPU affinity",
                    () -> CallingThread.setAffinity(cpuAffinity));
        }
        if (ioScheduling != null) {
            apply(ExecStepException.Step.IOPRIO, "Failed to set up IO scheduling priority",
                    () -> CallingThread.setIoPriority(ioScheduling.ioprio()));
        }
        if (keyringMode != null && keyringMode != KeyringMode.INHERIT) {
            apply(ExecStepException.Step.KEYRING, "Failed to set up kernel keyring",
                    () -> CallingThread.newSessionKeyring(keyringUid, keyringGid,
                            keyringMode == KeyringMode.SHARED));
        }
        if (noNewPrivileges) {
            apply(ExecStepException.Step.NO_NEW_PRIVILEGES, "Failed to disable new privileges",
                    CallingThread::setNoNewPrivileges);
        }
    }

    private interface Call {
        void run() throws ErrnoException;
    }

    private static void apply(ExecStepException.Step step, String what, Call call) throws ExecStepException {
        try {
            call.run();
        } catch (ErrnoException e) {
            throw new ExecStepException(step, what + ": " + e.strerror(), e);
        }
    }
}
