package dev.sockact.posix;

import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Sets LISTEN_PID to a spawned child's own pid, which only the child knows before it execs the program.
 *
 * <p>systemd forks, sets the variable in the child, and execs. From the JVM we cannot run code between fork and
 * exec, so the child first execs a trampoline that writes its pid into the environment and execs the program in
 * place (same pid, same fds). A shell does that ({@code LISTEN_PID=$$; exec "$0" "$@"}) but a dynamically linked
 * shell's exec costs about as much as the program's own: it halved Accept=yes throughput. This trampoline is 112
 * bytes of x86_64 code in a minimal static ELF, held in a sealed memfd and exec'd through
 * {@code /proc/<our pid>/fd/<n>}; its exec costs next to nothing. Where it cannot be used (another architecture,
 * no memfd, a kernel that refuses to exec memfds) {@link Spawner} falls back to the shell.
 *
 * <p>Contract: the trampoline's {@code argv[0]} is the program's absolute path, {@code argv[1..]} the program's argv
 * (so, unlike through the shell, the program keeps its own argv[0]), and the first environment entry is
 * {@link #PLACEHOLDER}, which the trampoline overwrites with {@code LISTEN_PID=<pid>}. If exec fails it exits 127,
 * as a shell would.
 */
final class ListenPidTrampoline {
    /** The first environment entry: room for any pid (at most 7 digits, pid_max is 2^22) and the NUL. */
    static final String PLACEHOLDER = "LISTEN_PID=" + "?".repeat(10);

    private static final int MFD_CLOEXEC = 0x1;
    private static final int MFD_ALLOW_SEALING = 0x2;
    /** Linux 6.3+: say explicitly that the memfd is executable (vm.memfd_noexec); older kernels refuse the flag. */
    private static final int MFD_EXEC = 0x10;
    private static final int F_ADD_SEALS = 1033;
    private static final int F_SEAL_ALL = 0x1 | 0x2 | 0x4 | 0x8;   // SEAL, SHRINK, GROW, WRITE
    private static final long MEMFD_CREATE = "aarch64".equals(System.getProperty("os.arch")) ? 279 : 319;

    /**
     * The code, x86_64 (as(1) syntax; assembled once and checked against the objdump listing). The stack at entry
     * holds argc, argv[], NULL, envp[], NULL.
     */
    private static final byte[] X86_64_CODE = bytes(
            0x48, 0x8b, 0x0c, 0x24,                 // mov   (%rsp),%rcx          argc
            0x4c, 0x8d, 0x54, 0x24, 0x08,           // lea   8(%rsp),%r10         argv
            0x4d, 0x8d, 0x4c, 0xca, 0x08,           // lea   8(%r10,%rcx,8),%r9   envp
            0xb8, 0x27, 0x00, 0x00, 0x00,           // mov   $39,%eax             getpid()
            0x0f, 0x05,                             // syscall
            0x48, 0x8d, 0x7c, 0x24, 0xff,           // lea   -1(%rsp),%rdi        digits go below the stack pointer,
            0x41, 0xb8, 0x0a, 0x00, 0x00, 0x00,     // mov   $10,%r8d             last digit first
            0x31, 0xc9,                             // xor   %ecx,%ecx            digit count
            0x31, 0xd2,                             // 1: xor %edx,%edx
            0x49, 0xf7, 0xf0,                       // div   %r8                  rax /= 10, rdx = remainder
            0x80, 0xc2, 0x30,                       // add   $'0',%dl
            0x88, 0x17,                             // mov   %dl,(%rdi)
            0x48, 0xff, 0xcf,                       // dec   %rdi
            0xff, 0xc1,                             // inc   %ecx
            0x48, 0x85, 0xc0,                       // test  %rax,%rax
            0x75, 0xec,                             // jnz   1b
            0x48, 0xff, 0xc7,                       // inc   %rdi                 first digit
            0x49, 0x8b, 0x01,                       // mov   (%r9),%rax           envp[0], the placeholder
            0x48, 0x83, 0xc0, 0x0b,                 // add   $11,%rax             after "LISTEN_PID="
            0x8a, 0x17,                             // 2: mov (%rdi),%dl          copy the digits
            0x88, 0x10,                             // mov   %dl,(%rax)
            0x48, 0xff, 0xc7,                       // inc   %rdi
            0x48, 0xff, 0xc0,                       // inc   %rax
            0xff, 0xc9,                             // dec   %ecx
            0x75, 0xf2,                             // jnz   2b
            0xc6, 0x00, 0x00,                       // movb  $0,(%rax)            terminate
            0x49, 0x8d, 0x72, 0x08,                 // lea   8(%r10),%rsi         argv + 1: the program's argv
            0x49, 0x8b, 0x3a,                       // mov   (%r10),%rdi          argv[0]: the program's path
            0x4c, 0x89, 0xca,                       // mov   %r9,%rdx             envp
            0xb8, 0x3b, 0x00, 0x00, 0x00,           // mov   $59,%eax             execve()
            0x0f, 0x05,                             // syscall
            0xbf, 0x7f, 0x00, 0x00, 0x00,           // mov   $127,%edi            it failed: exit_group(127)
            0xb8, 0xe7, 0x00, 0x00, 0x00,           // mov   $231,%eax
            0x0f, 0x05);                            // syscall

    private static final long LOAD_ADDRESS = 0x400000;
    private static final int ELF_HEADER_SIZE = 64;
    private static final int PROGRAM_HEADER_SIZE = 56;

    private static volatile String path;
    private static volatile boolean unusable = !"amd64".equals(System.getProperty("os.arch"))
            && !"x86_64".equals(System.getProperty("os.arch"));

    private ListenPidTrampoline() {
        throw new AssertionError();
    }

    /** The path to exec, or null where the trampoline cannot be used (the caller uses the shell instead). */
    static String path() {
        if (unusable) {
            return null;
        }
        String p = path;
        if (p == null) {
            synchronized (ListenPidTrampoline.class) {
                p = path;
                if (p == null && !unusable) {
                    p = create();
                    path = p;
                    unusable = p == null;
                }
            }
        }
        return p;
    }

    /** posix_spawn could not exec the trampoline (a kernel or a /proc that refuses it): use the shell from now on. */
    static void markUnusable() {
        unusable = true;
    }

    private static String create() {
        int fd;
        try (Arena arena = Arena.ofConfined()) {
            long name = arena.allocateFrom("sockact-listen-pid").address();
            fd = (int) Native.sys(MEMFD_CREATE, name, MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
            if (fd < 0) {
                fd = (int) Native.sys(MEMFD_CREATE, name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
            }
        }
        if (fd < 0) {
            return null;
        }
        try {
            Io.writeFully(fd, elf(), "listen-pid trampoline");
        } catch (ErrnoException e) {
            Io.close(fd);
            return null;
        }
        Native.sys(Syscalls.FCNTL, fd, F_ADD_SEALS, F_SEAL_ALL);
        // Held for the life of the process: every spawn that sets LISTEN_PID execs it.
        return "/proc/" + Processes.pid() + "/fd/" + fd;
    }

    /** A minimal ELF64 executable: the header, one PT_LOAD segment (read+exec) mapping the whole file, the code. */
    static byte[] elf() {
        int codeOffset = ELF_HEADER_SIZE + PROGRAM_HEADER_SIZE;
        int size = codeOffset + X86_64_CODE.length;
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7f, 'E', 'L', 'F', 2 /* 64-bit */, 1 /* little-endian */, 1 /* version */, 0 /* SYSV */});
        b.put(new byte[8]);
        b.putShort((short) 2);                      // e_type: ET_EXEC
        b.putShort((short) 62);                     // e_machine: EM_X86_64
        b.putInt(1);                                // e_version
        b.putLong(LOAD_ADDRESS + codeOffset);       // e_entry
        b.putLong(ELF_HEADER_SIZE);                 // e_phoff
        b.putLong(0);                               // e_shoff: no sections
        b.putInt(0);                                // e_flags
        b.putShort((short) ELF_HEADER_SIZE);        // e_ehsize
        b.putShort((short) PROGRAM_HEADER_SIZE);    // e_phentsize
        b.putShort((short) 1);                      // e_phnum
        b.putShort((short) 0);                      // e_shentsize
        b.putShort((short) 0);                      // e_shnum
        b.putShort((short) 0);                      // e_shstrndx
        b.putInt(1);                                // p_type: PT_LOAD
        b.putInt(0x5);                              // p_flags: R + X
        b.putLong(0);                               // p_offset
        b.putLong(LOAD_ADDRESS);                    // p_vaddr
        b.putLong(LOAD_ADDRESS);                    // p_paddr
        b.putLong(size);                            // p_filesz
        b.putLong(size);                            // p_memsz
        b.putLong(0x1000);                          // p_align
        b.put(X86_64_CODE);
        return b.array();
    }

    private static byte[] bytes(int... values) {
        byte[] result = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            result[i] = (byte) values[i];
        }
        return result;
    }
}
