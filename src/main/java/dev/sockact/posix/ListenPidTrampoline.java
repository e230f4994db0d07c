package dev.sockact.posix;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Sets LISTEN_PID (and systemd 259's LISTEN_PIDFDID) for a spawned child, which only the child can do before it
 * execs the program.
 *
 * <p>systemd forks, sets the variables in the child, and execs. From the JVM we cannot run code between fork and
 * exec, so the child first execs a trampoline that writes its pid into the environment and execs the program in
 * place (same pid, same fds). A shell does that ({@code LISTEN_PID=$$; exec "$0" "$@"}) but a dynamically linked
 * shell's exec costs about as much as the program's own: it halved Accept=yes throughput. This trampoline is 252
 * bytes of x86_64 code in a minimal static ELF, held in a sealed memfd and exec'd through
 * {@code /proc/<our pid>/fd/<n>}; its exec costs next to nothing, and the three syscalls of the pidfd ID little
 * more. Where it cannot be used (another architecture, no memfd, a kernel that refuses to exec memfds)
 * {@link Spawner} falls back to the shell, which cannot open a pidfd: there the child gets LISTEN_PID only.
 *
 * <p>Contract: the trampoline's {@code argv[0]} is the program's absolute path, {@code argv[1..]} the program's argv
 * (so, unlike through the shell, the program keeps its own argv[0]), and the first environment entry is
 * {@link #PLACEHOLDER}, which the trampoline overwrites with {@code LISTEN_PID=<pid>}. If the second entry is
 * {@link #PIDFD_ID_PLACEHOLDER} (given only where pidfds have inode numbers of their own, pidfs: before it, every
 * pidfd shared one anonymous inode and the number would name no process), the trampoline opens a pidfd for itself
 * ({@code pidfd_open(getpid(), 0)}), reads its inode number with {@code fstat}, closes it, and overwrites the entry
 * with {@code LISTEN_PIDFDID=<inode>}. If pidfd_open or fstat fails, the entry is dropped rather than left
 * malformed: the LISTEN_PID entry is copied over it and the program gets the environment from the second entry on.
 * If exec fails it exits 127, as a shell would.
 *
 * <p>The source is {@code src/main/asm/listen-pid-trampoline.s}; {@code ListenPidTrampolineTest} assembles it and
 * checks that its bytes are {@link #X86_64_CODE}.
 */
final class ListenPidTrampoline {
    /** The first environment entry: room for any pid (at most 7 digits, pid_max is 2^22) and the NUL. */
    static final String PLACEHOLDER = "LISTEN_PID=" + "?".repeat(10);
    /** The optional second entry: room for any 64-bit inode number (at most 20 digits). */
    static final String PIDFD_ID_PLACEHOLDER = "LISTEN_PIDFDID=" + "?".repeat(20);

    /**
     * The code, x86_64 (as(1) syntax, from src/main/asm/listen-pid-trampoline.s, whose bytes the test compares with
     * these). The stack at entry holds argc, argv[], NULL, envp[], NULL. Syscalls keep every register but %rax,
     * %rcx and %r11.
     */
    static final byte[] X86_64_CODE = bytes(
            0x48, 0x8b, 0x0c, 0x24,                 // mov   (%rsp),%rcx          argc
            0x4c, 0x8d, 0x54, 0x24, 0x08,           // lea   8(%rsp),%r10         argv
            0x4d, 0x8d, 0x4c, 0xca, 0x08,           // lea   8(%r10,%rcx,8),%r9   envp
            0xb8, 0x27, 0x00, 0x00, 0x00,           // mov   $39,%eax             getpid()
            0x0f, 0x05,                             // syscall
            0x49, 0x89, 0xc4,                       // mov   %rax,%r12            the pid, for pidfd_open
            0x49, 0x8b, 0x39,                       // mov   (%r9),%rdi           envp[0], the LISTEN_PID placeholder
            0x48, 0x83, 0xc7, 0x0b,                 // add   $11,%rdi             after "LISTEN_PID="
            0xe8, 0xa2, 0x00, 0x00, 0x00,           // call  decimal
            0x49, 0x8b, 0x71, 0x08,                 // mov   8(%r9),%rsi          envp[1]: the LISTEN_PIDFDID placeholder?
            0x48, 0x85, 0xf6,                       // test  %rsi,%rsi
            0x74, 0x7c,                             // jz    exec
            0x48, 0xb8, 0x4c, 0x49, 0x53, 0x54,     // movabs $0x505f4e455453494c,%rax   "LISTEN_P"
            0x45, 0x4e, 0x5f, 0x50,
            0x48, 0x3b, 0x06,                       // cmp   (%rsi),%rax
            0x75, 0x6d,                             // jne   exec
            0x48, 0xb8, 0x50, 0x49, 0x44, 0x46,     // movabs $0x3d44494446444950,%rax   "PIDFDID=", bytes 7..14
            0x44, 0x49, 0x44, 0x3d,
            0x48, 0x3b, 0x46, 0x07,                 // cmp   7(%rsi),%rax
            0x75, 0x5d,                             // jne   exec
            0x4c, 0x89, 0xe7,                       // mov   %r12,%rdi            pidfd_open(pid, 0)
            0x31, 0xf6,                             // xor   %esi,%esi
            0xb8, 0xb2, 0x01, 0x00, 0x00,           // mov   $434,%eax
            0x0f, 0x05,                             // syscall
            0x48, 0x85, 0xc0,                       // test  %rax,%rax
            0x78, 0x41,                             // js    drop
            0x48, 0x89, 0xc7,                       // mov   %rax,%rdi            fstat(pidfd, a struct stat below
            0x48, 0x81, 0xec, 0x90, 0x00, 0x00, 0x00, // sub $144,%rsp             the stack pointer)
            0x48, 0x89, 0xe6,                       // mov   %rsp,%rsi
            0xb8, 0x05, 0x00, 0x00, 0x00,           // mov   $5,%eax
            0x0f, 0x05,                             // syscall
            0x49, 0x89, 0xc5,                       // mov   %rax,%r13            fstat's result
            0x4c, 0x8b, 0x74, 0x24, 0x08,           // mov   8(%rsp),%r14         st_ino
            0x48, 0x81, 0xc4, 0x90, 0x00, 0x00, 0x00, // add $144,%rsp
            0xb8, 0x03, 0x00, 0x00, 0x00,           // mov   $3,%eax              close(pidfd): %rdi still holds it
            0x0f, 0x05,                             // syscall
            0x4d, 0x85, 0xed,                       // test  %r13,%r13
            0x75, 0x12,                             // jnz   drop
            0x4c, 0x89, 0xf0,                       // mov   %r14,%rax
            0x49, 0x8b, 0x79, 0x08,                 // mov   8(%r9),%rdi          envp[1]
            0x48, 0x83, 0xc7, 0x0f,                 // add   $15,%rdi             after "LISTEN_PIDFDID="
            0xe8, 0x2a, 0x00, 0x00, 0x00,           // call  decimal
            0xeb, 0x0b,                             // jmp   exec
            0x49, 0x8b, 0x01,                       // drop: mov (%r9),%rax       envp[1] = envp[0]; envp += 1
            0x49, 0x89, 0x41, 0x08,                 // mov   %rax,8(%r9)
            0x49, 0x83, 0xc1, 0x08,                 // add   $8,%r9
            0x49, 0x8d, 0x72, 0x08,                 // exec: lea 8(%r10),%rsi     argv + 1: the program's argv
            0x49, 0x8b, 0x3a,                       // mov   (%r10),%rdi          argv[0]: the program's path
            0x4c, 0x89, 0xca,                       // mov   %r9,%rdx             envp
            0xb8, 0x3b, 0x00, 0x00, 0x00,           // mov   $59,%eax             execve()
            0x0f, 0x05,                             // syscall
            0xbf, 0x7f, 0x00, 0x00, 0x00,           // mov   $127,%edi            it failed: exit_group(127)
            0xb8, 0xe7, 0x00, 0x00, 0x00,           // mov   $231,%eax
            0x0f, 0x05,                             // syscall
            // decimal: writes %rax in decimal at %rdi, NUL-terminated; the digits are built below the stack pointer.
            0x48, 0x8d, 0x74, 0x24, 0xff,           // lea   -1(%rsp),%rsi        last digit first
            0x41, 0xb8, 0x0a, 0x00, 0x00, 0x00,     // mov   $10,%r8d
            0x31, 0xc9,                             // xor   %ecx,%ecx            digit count
            0x31, 0xd2,                             // 1: xor %edx,%edx
            0x49, 0xf7, 0xf0,                       // div   %r8                  %rax /= 10, %rdx = remainder
            0x80, 0xc2, 0x30,                       // add   $'0',%dl
            0x88, 0x16,                             // mov   %dl,(%rsi)
            0x48, 0xff, 0xce,                       // dec   %rsi
            0xff, 0xc1,                             // inc   %ecx
            0x48, 0x85, 0xc0,                       // test  %rax,%rax
            0x75, 0xec,                             // jnz   1b
            0x48, 0xff, 0xc6,                       // inc   %rsi                 first digit
            0x8a, 0x16,                             // 2: mov (%rsi),%dl          copy the digits
            0x88, 0x17,                             // mov   %dl,(%rdi)
            0x48, 0xff, 0xc6,                       // inc   %rsi
            0x48, 0xff, 0xc7,                       // inc   %rdi
            0xff, 0xc9,                             // dec   %ecx
            0x75, 0xf2,                             // jnz   2b
            0xc6, 0x07, 0x00,                       // movb  $0,(%rdi)            terminate
            0xc3);                                  // ret

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
        // Held for the life of the process: every spawn that sets LISTEN_PID without the spawn server execs it.
        return ExecutableMemfd.create("sockact-listen-pid", elf());
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
