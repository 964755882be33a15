package io.coffer.core.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;
import java.util.zip.CRC32C;

/**
 * A write log of the embedded LevelDB ended by a crash in the middle of its last record, found and cut off.
 *
 * <p>Why: the LevelDB that leveldbjni carries (1.x) writes its logs through a memory map that it grows ahead of the records,
 * zero-filled. A process killed while it copies a record into the map leaves the record's header whole and its end zeros;
 * opening with paranoid checks (which the store keeps on, so that real damage is never skipped over) then refuses the whole
 * database: "Corruption: checksum mismatch" (LevelDB's issue 202; 2 of ~400 SIGKILLs in {@code StoreTest}'s crash test here,
 * twice in its first 40). A record longer than what is left of its 32 KiB block is copied in fragments, and a kill between
 * two leaves the first fragments whole and zeros where the next should be: "Corruption: error in middle of record" (once in
 * {@code EventOutboxTest}'s crash test in CI). That record's write had not returned — its sync never finished — so no caller
 * was told it was durable: dropping it loses nothing acknowledged. Only that case is mended: the bad record must be the file's last (nothing but zeros after it),
 * in the newest log or the current MANIFEST; damage anywhere else is left for an operator, the store refused as before.
 *
 * <p>The format (LevelDB's doc/log_format.md): 32 KiB blocks of records, each a 7-byte header — masked CRC-32C of type and
 * data (4 bytes, little-endian), data length (2), type (1: FULL, 2: FIRST, 3: MIDDLE, 4: LAST; 0 with length 0 is the map's
 * zero-filled space) — then the data; a block's last 0..6 bytes are padding.
 */
final class TornLogTail {
    private static final Logger LOG = Logger.getLogger(TornLogTail.class.getName());
    static final int BLOCK = 32 * 1024;
    static final int HEADER = 7;

    private TornLogTail() {
    }

    /** What a log file holds. */
    sealed interface Verdict {
        /** Every record whole (the zero-filled space after the last is not a record). */
        record Whole() implements Verdict { }

        /**
         * Whole up to {@code keep}; from there one torn record and zeros. {@code how}: what the torn record looks like (told in
         * the mend's line, so an operator reading it knows which kind of crash it was without opening the kept copy).
         */
        record Torn(long keep, String how) implements Verdict { }

        /** A bad record with more after it, or a record out of sequence: not a crash's doing. */
        record Damaged(long at, String what) implements Verdict { }
    }

    /** Reads one log's records. */
    static Verdict read(byte[] log) {
        ByteBuffer b = ByteBuffer.wrap(log).order(ByteOrder.LITTLE_ENDIAN);
        int n = log.length;
        int pos = 0;
        int logicalStart = -1; // where the logical record being read began (a FIRST seen, its LAST not yet)
        while (pos < n) {
            int blockLeft = BLOCK - pos % BLOCK;
            if (blockLeft < HEADER) {
                pos += blockLeft; // padding
                continue;
            }
            if (pos + HEADER > n) {
                return badAt(log, pos, logicalStart, n, "a header cut short");
            }
            int crc = b.getInt(pos);
            int length = b.getShort(pos + 4) & 0xffff;
            int type = log[pos + 6] & 0xff;
            if (type == 0 && length == 0) {
                if (logicalStart >= 0) {
                    // A fragmented record broken off: its writer died after copying its first fragments into the map and
                    // before the next. LevelDB reads the zeros as a bad record inside it: "error in middle of record".
                    return badAt(log, pos, logicalStart, pos, "a fragmented record broken off by zeros");
                }
                // The map's zero-filled space: LevelDB skips the rest of the block.
                pos += blockLeft;
                continue;
            }
            int end = pos + HEADER + length;
            if (length > blockLeft - HEADER) {
                return badAt(log, pos, logicalStart, Math.min(n, pos + blockLeft), "a length past its block");
            }
            if (end > n) {
                return badAt(log, pos, logicalStart, n, "a record cut short");
            }
            if (masked(log, pos + 6, 1 + length) != crc) {
                return badAt(log, pos, logicalStart, end, "a checksum mismatch");
            }
            switch (type) {
                case 1 -> {
                    if (logicalStart >= 0) {
                        return new Verdict.Damaged(pos, "a whole record inside a fragmented one");
                    }
                }
                case 2 -> {
                    if (logicalStart >= 0) {
                        return new Verdict.Damaged(pos, "a first fragment inside a fragmented record");
                    }
                    logicalStart = pos;
                }
                case 3 -> {
                    if (logicalStart < 0) {
                        return new Verdict.Damaged(pos, "a middle fragment without a first");
                    }
                }
                case 4 -> {
                    if (logicalStart < 0) {
                        return new Verdict.Damaged(pos, "a last fragment without a first");
                    }
                    logicalStart = -1;
                }
                default -> {
                    return new Verdict.Damaged(pos, "an unknown record type " + type);
                }
            }
            pos = end;
        }
        // A fragmented record the file ends in, right at a fragment's end (its writer died between fragments, before the map
        // grew): never acknowledged, so cut like any torn record whether or not this LevelDB would drop it quietly.
        return logicalStart >= 0 ? new Verdict.Torn(logicalStart, "a fragmented record the file ends in") : new Verdict.Whole();
    }

    /** The bad record at {@code pos} (its extent ending at {@code extentEnd}) is a torn tail if only zeros follow it. */
    private static Verdict badAt(byte[] log, int pos, int logicalStart, int extentEnd, String what) {
        for (int i = extentEnd; i < log.length; i++) {
            if (log[i] != 0) {
                return new Verdict.Damaged(pos, what + ", with more written after it");
            }
        }
        return new Verdict.Torn(logicalStart >= 0 ? logicalStart : pos, logicalStart >= 0 && logicalStart != pos
                ? what + " (a fragment of a record begun at byte " + logicalStart + ")" : what);
    }

    /** LevelDB's masked CRC-32C of {@code length} bytes at {@code offset}. */
    static int masked(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        int c = (int) crc.getValue();
        return ((c >>> 15) | (c << 17)) + 0xa282ead8;
    }

    /**
     * Cuts the torn last record off the newest log and the current MANIFEST of the LevelDB in {@code db}, each file first
     * copied whole into {@code keep}. Touches nothing when any log or the MANIFEST is damaged otherwise, or torn where a crash
     * cannot tear it (an older log).
     *
     * @return what was cut, one line per file; empty when there was nothing to mend (or nothing this may mend)
     */
    static List<String> mend(Path db, Path keep) throws IOException {
        List<Path> logs = new ArrayList<>();
        try (var files = Files.list(db)) {
            files.filter(p -> p.getFileName().toString().matches("\\d+\\.log")).forEach(logs::add);
        }
        logs.sort(java.util.Comparator.comparingLong(p -> Long.parseLong(p.getFileName().toString().replace(".log", ""))));
        Optional<Path> manifest = Optional.empty();
        Path current = db.resolve("CURRENT");
        if (Files.exists(current)) {
            String name = Files.readString(current).trim();
            if (name.matches("MANIFEST-\\d+") && Files.exists(db.resolve(name))) {
                manifest = Optional.of(db.resolve(name));
            }
        }
        List<Path> mayBeTorn = new ArrayList<>();
        if (!logs.isEmpty()) {
            mayBeTorn.add(logs.get(logs.size() - 1));
        }
        manifest.ifPresent(mayBeTorn::add);
        List<Path> all = new ArrayList<>(logs);
        manifest.ifPresent(all::add);

        List<Path> torn = new ArrayList<>();
        List<Verdict.Torn> verdicts = new ArrayList<>();
        for (Path file : all) {
            Verdict v = read(Files.readAllBytes(file));
            if (v instanceof Verdict.Damaged d) {
                LOG.severe("store: " + file + " is damaged at byte " + d.at() + " (" + d.what() + "): not a crash's torn write; left as it is");
                return List.of();
            }
            if (v instanceof Verdict.Torn t) {
                if (!mayBeTorn.contains(file)) {
                    LOG.severe("store: " + file + " ends in a torn record but is not the newest log: left as it is");
                    return List.of();
                }
                torn.add(file);
                verdicts.add(t);
            }
        }
        List<String> cut = new ArrayList<>();
        for (int i = 0; i < torn.size(); i++) {
            Path file = torn.get(i);
            long size = Files.size(file);
            Files.createDirectories(keep);
            Path copy = keep.resolve(file.getFileName() + "-" + System.currentTimeMillis());
            Files.copy(file, copy);
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ch.truncate(verdicts.get(i).keep());
                ch.force(true);
            }
            cut.add(file.getFileName() + ": the last record, torn by a crash while it was written (never acknowledged: "
                    + verdicts.get(i).how() + " at its end), cut off at byte " + verdicts.get(i).keep() + " of " + size
                    + "; the file as it was kept as " + copy);
        }
        return cut;
    }
}
