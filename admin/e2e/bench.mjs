// The editor app's speed budgets (issue 19), measured in headless Chromium
// against a running server: the JavaScript the first screen needs, the time
// a 6,000-word post takes to open to an editable state, and how long each
// keystroke's handlers run while typing in it. It measures and reports; it
// asserts nothing (bench/admin.py compares with the budgets and writes
// BENCHMARKS.md). Prints one JSON object on stdout, progress on stderr.
// Usage: LONGFORM_ADMIN_EMAIL=… LONGFORM_ADMIN_PASSWORD=… node e2e/bench.mjs BASE_URL
// BENCH_ADMIN_RUNS (default 15) sets the runs of each way of opening the post;
// BENCH_ADMIN_TRACE=FILE keeps the Chromium trace of the second typing pass.
import { writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const [base] = process.argv.slice(2);
const adminEmail = process.env.LONGFORM_ADMIN_EMAIL;
const adminPassword = process.env.LONGFORM_ADMIN_PASSWORD;
if (!base || !adminEmail || !adminPassword) {
  console.error('usage: LONGFORM_ADMIN_EMAIL=… LONGFORM_ADMIN_PASSWORD=… node e2e/bench.mjs BASE_URL');
  process.exit(2);
}
const origin = new URL(base).origin;
const RUNS = Number(process.env.BENCH_ADMIN_RUNS || 15);
const WAIT = 15_000;
const QUIET_MS = 1500; // no new request for this long: the screen has loaded what it will
const log = (message) => process.stderr.write(`[admin bench] ${message}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

setTimeout(() => {
  log('still running after 15 minutes; giving up');
  process.exit(1);
}, 900_000).unref();

// ---------------------------------------------------------------- the post

/** A small deterministic generator (mulberry32), so every run types into the same text. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TITLE = 'A write-ahead log for a small key-value store, from the first append to crash recovery';
const FIRST = 'Every storage engine that promises durability ends up writing the same thing twice: once to a log that only ever grows, and once to the structure that answers reads.';
const ANCHOR = 'Recovery reads the manifest first, because the manifest is the only file whose name never changes.';
const LAST = 'If you build one of these yourself, start with the crash test and the record format, and let everything else follow from what the crash test finds.';
const TARGET_WORDS = 6000;

// Sentences shared by every section; each paragraph takes a few.
const shared = [
  'None of this is new, and most of it is written down in papers that are older than the hardware we ran it on.',
  'The interesting part is which of the old rules still hold on a laptop SSD and which ones only made sense for spinning disks.',
  'We measured every change on the same two machines, a four-core laptop with an NVMe drive and a small cloud VM with network-attached storage.',
  'The numbers from the VM were noisier, but they were also closer to what our users run in production.',
  'A benchmark that only runs on the laptop tells you how fast the laptop is, not how fast the design is.',
  'Most of the bugs we found were not in the clever code but in the boring code around it: error paths, partial reads and files that were a few bytes shorter than expected.',
  'We kept a list of every assumption the code made about the file system, and the list turned out to be the most useful document in the repository.',
  'It is tempting to read the POSIX specification as a description of what file systems do, but it is closer to a description of what they used to promise.',
  'The kernel is allowed to reorder writes that the program issued in order, and it does so more often than intuition suggests.',
  'An fsync that returns an error does not mean the data is still in the page cache, waiting for a retry.',
  'Since 2018 the only safe reaction to a failed fsync on Linux is to stop, reopen the file and recover from what is actually on disk.',
  'Every layer of the stack has a buffer, and every buffer is a place where an acknowledged write can still be lost.',
  'We wrote the first version in a weekend and spent the following two months finding out what it got wrong.',
  'The log is the part of the system that has to be correct before anything else can be fast.',
  'A reviewer asked why we did not simply use SQLite, which is a fair question and one we answer near the end.',
  'Throughput numbers in this post are for values of 100 bytes unless the text says otherwise.',
  'Latency numbers are the 99th percentile over a five-minute run, because the median hides exactly the stalls we care about.',
  'When a design decision traded simplicity for speed, we wrote the reason next to the code, not in a wiki page.',
  'The test suite runs the same scenarios against an in-memory file system that can be told to fail in specific ways.',
  'We found that deterministic failure injection caught more bugs per hour than any amount of random testing on real disks.',
  'There is a version of this design with fewer moving parts, and it is about three times slower.',
  'Nothing here depends on a particular language, although the examples are mostly in Rust and Go.',
  'Readers never wait for the log; they see the state as of the last operation that was applied to the table.',
  'The hardest part of the work was not the code but deciding what "committed" means when the power fails halfway through a write.',
  'Our definition is simple: an operation is committed when the call that wrote it has returned success to the caller.',
  'Everything the caller was told is durable must be visible after a restart, and nothing else may be.',
  'The second half of that rule is easy to forget, and forgetting it produces phantom writes after recovery.',
  'A write that was never acknowledged may or may not survive a crash, and the caller has to treat both outcomes as possible.',
  'We profiled with perf and flame graphs; the interesting stacks were almost always in the kernel rather than in our code.',
  'Small changes to the batching logic moved the tail latency far more than any change to the encoding.',
  'Where a number looks too good, it is usually because the drive lied about having flushed its cache.',
  'Consumer drives with a volatile write cache and no power-loss protection will acknowledge a flush that never reached the flash.',
  'The only defence against a lying drive is to know which drives lie, and to document that the guarantees do not hold on them.',
  'Every format has a version number in its header, including the ones we were sure would never change.',
  'We changed two of them within a month.',
  'Compatibility is a promise about files that already exist on other people\'s disks, which makes it much harder to take back than an API.',
  'The code that reads old formats lives in its own module and has its own tests, built from files written by old releases.',
  'It is worth keeping a handful of real log files from production in the repository, scrubbed of their data, as fixtures.',
  'When the tests pass on the in-memory file system but fail on a real one, the real one is almost always right.',
  'We treated every surprise as a missing test and wrote the test before fixing the code.',
];

// Each section: a heading, sentences of its own, and what follows its prose.
const sections = [
  {
    heading: 'Why a log at all',
    own: [
      'A key-value store answers two questions: what is the value for this key, and did my last write survive.',
      'The first question wants a structure tuned for lookups, a B-tree or a hash table or a sorted run of keys.',
      'The second question wants something that can be written sequentially and trusted after a crash.',
      'Updating a B-tree in place touches several pages for one write, and a crash between two of those writes leaves a tree that no longer describes any state the program was ever in.',
      'A write-ahead log sidesteps that problem by writing the intent first, in one sequential append, and changing the tree afterwards.',
      'After a crash, the log says exactly which changes were promised, and the tree can be brought up to date by replaying them.',
      'The cost is that every byte is written at least twice, which is why the rest of this post is about making the first write cheap.',
      'Sequential writes are the cheapest thing a disk can do, and batching many of them into one flush is cheaper still.',
    ],
  },
  {
    heading: 'The record format',
    own: [
      'Each record in the log is self-describing, so a reader can start at any record boundary and walk forward.',
      'The header is fixed-size and little-endian, followed by the key and the value as raw bytes.',
      'A checksum covers the header and the payload together, so a torn write is detected whichever part it tore.',
      'The sequence number is stored explicitly rather than derived from the position in the file, which makes files easier to concatenate and inspect.',
      'Lengths are 32-bit, which limits a single value to four gigabytes; nobody has complained yet.',
      'We rejected variable-length integers in the header because they made the torn-write analysis harder to reason about.',
      'Padding records to a multiple of eight bytes wasted about four percent of the space and bought nothing measurable, so we removed it.',
    ],
    after: () => [
      'The fields, in the order they are written:',
      '',
      '| Field | Type | Bytes | Purpose |',
      '|---|---|---:|---|',
      '| `magic` | `u16` | 2 | Marks the start of a record; `0x4C57` |',
      '| `version` | `u8` | 1 | Record format version, currently `2` |',
      '| `kind` | `u8` | 1 | `put`, `delete`, `checkpoint` or `padding` |',
      '| `sequence` | `u64` | 8 | Monotonic sequence number of the operation |',
      '| `key_len` | `u32` | 4 | Length of the key in bytes |',
      '| `value_len` | `u32` | 4 | Length of the value in bytes, `0` for deletes |',
      '| `crc32c` | `u32` | 4 | Checksum of the header (with this field zeroed) and the payload |',
      '| `key` | bytes | `key_len` | The key |',
      '| `value` | bytes | `value_len` | The value |',
      '',
      'In Rust the header is a plain struct with explicit encoding, because relying on the in-memory layout would tie the file format to the compiler:',
      '',
      '```rust',
      'use std::io::{self, Write};',
      '',
      'pub const MAGIC: u16 = 0x4C57;',
      'pub const HEADER_LEN: usize = 24;',
      '',
      '#[derive(Debug, Clone, Copy, PartialEq, Eq)]',
      'pub enum Kind {',
      '    Put = 1,',
      '    Delete = 2,',
      '    Checkpoint = 3,',
      '    Padding = 4,',
      '}',
      '',
      '#[derive(Debug, Clone, PartialEq, Eq)]',
      'pub struct Record<\'a> {',
      '    pub kind: Kind,',
      '    pub sequence: u64,',
      '    pub key: &\'a [u8],',
      '    pub value: &\'a [u8],',
      '}',
      '',
      'impl Record<\'_> {',
      '    pub fn encode(&self, out: &mut impl Write) -> io::Result<usize> {',
      '        let mut header = [0u8; HEADER_LEN];',
      '        header[0..2].copy_from_slice(&MAGIC.to_le_bytes());',
      '        header[2] = 2;',
      '        header[3] = self.kind as u8;',
      '        header[4..12].copy_from_slice(&self.sequence.to_le_bytes());',
      '        header[12..16].copy_from_slice(&(self.key.len() as u32).to_le_bytes());',
      '        header[16..20].copy_from_slice(&(self.value.len() as u32).to_le_bytes());',
      '        let mut crc = crc32c::crc32c(&header);',
      '        crc = crc32c::crc32c_append(crc, self.key);',
      '        crc = crc32c::crc32c_append(crc, self.value);',
      '        header[20..24].copy_from_slice(&crc.to_le_bytes());',
      '        out.write_all(&header)?;',
      '        out.write_all(self.key)?;',
      '        out.write_all(self.value)?;',
      '        Ok(HEADER_LEN + self.key.len() + self.value.len())',
      '    }',
      '}',
      '```',
    ],
  },
  {
    heading: 'Appending without losing anything',
    own: [
      'The append path does three things: encode the record into a buffer, write the buffer to the file, and make the write durable.',
      'Only the last step is slow, and it is slow in a way that does not depend much on how many bytes were written.',
      'A flush of four kilobytes and a flush of four hundred kilobytes cost nearly the same on every drive we tried.',
      'We open the log with O_APPEND and never seek, so the kernel keeps the file offset and two writers cannot interleave within a record.',
      'Preallocating the file with fallocate avoids a metadata update on every flush, which turned out to halve the latency on ext4.',
      'fdatasync is enough once the file is preallocated, because the size no longer changes and only the data blocks need flushing.',
      'The writer owns the file descriptor exclusively; everything else talks to it through a channel.',
    ],
    after: () => [
      '### The writer loop',
      '',
      'The loop is short enough to show whole. It takes whatever is waiting, writes it, flushes once and answers everyone:',
      '',
      '```rust',
      'pub fn run(mut file: File, requests: Receiver<Append>) -> io::Result<()> {',
      '    let mut buffer = Vec::with_capacity(1 << 20);',
      '    while let Ok(first) = requests.recv() {',
      '        let mut batch = vec![first];',
      '        batch.extend(requests.try_iter().take(MAX_BATCH - 1));',
      '        buffer.clear();',
      '        for append in &batch {',
      '            append.record().encode(&mut buffer)?;',
      '        }',
      '        file.write_all(&buffer)?;',
      '        file.sync_data()?;',
      '        for append in batch {',
      '            let _ = append.done.send(Ok(append.sequence));',
      '        }',
      '    }',
      '    Ok(())',
      '}',
      '```',
      '',
      'Three details matter more than they look:',
      '',
      '- `try_iter` never blocks, so a lone writer is not delayed waiting for company.',
      '- The buffer is reused, so a steady load allocates nothing after the first batch.',
      '- An error from `sync_data` ends the loop; the store reopens and recovers rather than retrying the flush.',
    ],
  },
  {
    heading: 'Group commit',
    own: [
      'Group commit is the observation that many writers can share one flush if they are willing to wait for each other for a moment.',
      'With one writer, throughput is bounded by the flush latency; with a hundred writers sharing each flush, it is bounded by bandwidth instead.',
      'The question is how long to wait for company before flushing, and the answer we settled on is not at all.',
      'Instead of a timer, the writer flushes as soon as it is idle, and requests that arrive during a flush form the next batch.',
      'This adapts to load without tuning: a quiet system flushes every write immediately, a busy one batches naturally.',
      'A fixed delay of even half a millisecond made the single-writer latency worse and barely helped the busy case.',
      'Our first implementation used a mutex and a condition variable, and it spent more time waking threads than writing data.',
    ],
    after: () => [
      'A client in Go sees none of this; it calls `Put` and gets an error or a sequence number back:',
      '',
      '```go',
      'package kv',
      '',
      'import (',
      '\t"context"',
      '\t"errors"',
      '\t"time"',
      ')',
      '',
      'var ErrClosed = errors.New("kv: store is closed")',
      '',
      'type Client struct {',
      '\tappends chan<- appendRequest',
      '}',
      '',
      'type appendRequest struct {',
      '\tkey, value []byte',
      '\tdone       chan result',
      '}',
      '',
      'type result struct {',
      '\tsequence uint64',
      '\terr      error',
      '}',
      '',
      'func (c *Client) Put(ctx context.Context, key, value []byte) (uint64, error) {',
      '\tdone := make(chan result, 1)',
      '\tselect {',
      '\tcase c.appends <- appendRequest{key: key, value: value, done: done}:',
      '\tcase <-ctx.Done():',
      '\t\treturn 0, ctx.Err()',
      '\t}',
      '\tselect {',
      '\tcase r := <-done:',
      '\t\treturn r.sequence, r.err',
      '\tcase <-time.After(30 * time.Second):',
      '\t\treturn 0, errors.New("kv: append timed out; the write may still be durable")',
      '\t}',
      '}',
      '```',
      '',
      'The timeout message is deliberate: after a timeout the caller does not know whether the write happened, and the error says so.',
    ],
  },
  {
    heading: 'Checksums and torn writes',
    own: [
      'A torn write is a write that the disk completed only partly when the power failed.',
      'Sector writes are atomic on most drives, but a record that spans two sectors can be half old and half new.',
      'The checksum turns that case into an ordinary error: the record does not verify, so it was never committed.',
      'We use CRC32C because modern x86 and ARM processors compute it in hardware at several gigabytes per second.',
      'A cryptographic hash would also work and would be twenty times slower for no benefit, since the threat is physics, not an attacker.',
      'The checksum also catches the rarer case of a drive returning the wrong block entirely, which we saw twice on one cloud volume.',
      'Zeroed regions are the most common thing found after a crash, and a record of zeros must never verify; the magic number sees to that.',
    ],
    after: () => [
      'Without hardware support, the table-driven version in C is still fast enough that it never showed up in a profile:',
      '',
      '```c',
      '#include <stddef.h>',
      '#include <stdint.h>',
      '',
      'static uint32_t table[256];',
      '',
      'static void crc32c_init(void) {',
      '    for (uint32_t i = 0; i < 256; i++) {',
      '        uint32_t crc = i;',
      '        for (int bit = 0; bit < 8; bit++) {',
      '            crc = (crc & 1) ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;',
      '        }',
      '        table[i] = crc;',
      '    }',
      '}',
      '',
      'uint32_t crc32c_append(uint32_t crc, const uint8_t *data, size_t len) {',
      '    crc = ~crc;',
      '    while (len--) {',
      '        crc = table[(crc ^ *data++) & 0xFF] ^ (crc >> 8);',
      '    }',
      '    return ~crc;',
      '}',
      '```',
    ],
  },
  {
    heading: 'Recovery',
    anchor: true,
    own: [
      'Recovery is the only code path that runs exactly when things have already gone wrong, which is why it deserves the most tests.',
      'The procedure is to find the last checkpoint, load the table it describes, and replay every valid record after it.',
      'The first record that fails its checksum ends the replay; everything after it is treated as never written.',
      'This is correct only if no acknowledged record can follow an unacknowledged one, which the single writer guarantees.',
      'Recovery also truncates the log at the first invalid record, so the next append does not land after garbage.',
      'A recovery that is interrupted by another crash must leave the files in a state from which recovery can run again.',
      'We made recovery idempotent by never modifying the log during replay and by writing the new table under a temporary name.',
    ],
    after: () => [
      'Step by step:',
      '',
      '1. Read `MANIFEST` and find the newest checkpoint it names.',
      '2. Open that checkpoint\'s table file and check its trailer checksum.',
      '3. Open every log segment newer than the checkpoint, in order of their first sequence number.',
      '4. Replay records until the first one that is short, has the wrong magic, or fails its checksum.',
      '5. Truncate the segment at that offset and delete any later segments.',
      '6. Write a fresh checkpoint if more than 64 MB were replayed, so the next recovery is short.',
      '',
      'A small script prints what recovery would see, which has been the most useful debugging tool we have:',
      '',
      '```python',
      '#!/usr/bin/env python3',
      '"""Print the records of a log segment and where a replay would stop."""',
      'import struct',
      'import sys',
      '',
      'import crc32c',
      '',
      'HEADER = struct.Struct("<HBBQIII")',
      'KINDS = {1: "put", 2: "delete", 3: "checkpoint", 4: "padding"}',
      '',
      '',
      'def records(data: bytes):',
      '    offset = 0',
      '    while offset + HEADER.size <= len(data):',
      '        magic, version, kind, seq, klen, vlen, crc = HEADER.unpack_from(data, offset)',
      '        end = offset + HEADER.size + klen + vlen',
      '        if magic != 0x4C57 or end > len(data):',
      '            return offset, "short or bad magic"',
      '        header = bytearray(data[offset:offset + HEADER.size])',
      '        header[20:24] = b"\\0\\0\\0\\0"',
      '        if crc32c.crc32c(bytes(header) + data[offset + HEADER.size:end]) != crc:',
      '            return offset, "checksum mismatch"',
      '        print(f"{offset:>10} seq={seq:<8} {KINDS.get(kind, kind):<10} key={klen}B value={vlen}B")',
      '        offset = end',
      '    return offset, "end of file"',
      '',
      '',
      'if __name__ == "__main__":',
      '    with open(sys.argv[1], "rb") as f:',
      '        stop, reason = records(f.read())',
      '    print(f"replay stops at byte {stop}: {reason}")',
      '```',
    ],
  },
  {
    heading: 'Checkpoints and truncation',
    own: [
      'A log that only grows would eventually fill the disk and make recovery take as long as the store has existed.',
      'A checkpoint writes the current table to a new file and records in the manifest that the log before it is no longer needed.',
      'Segments older than the newest durable checkpoint can then be deleted, after the manifest update itself is durable.',
      'The order of those steps matters: deleting a segment before the manifest is flushed can lose data if the power fails between the two.',
      'Renaming a file and flushing the directory that contains it is the only portable way to replace a file atomically.',
      'Forgetting to flush the directory is the classic bug here, and we had it for three weeks before a crash test caught it.',
      'Checkpoints run on their own thread and never block the writer; the writer only notices that segments disappear.',
    ],
    after: () => [
      'The settings that control this live in the store\'s configuration file:',
      '',
      '```toml',
      '[log]',
      'segment_size = "64MiB"',
      'preallocate = true',
      'sync = "fdatasync"',
      '',
      '[checkpoint]',
      'every = "256MiB"',
      'keep = 2',
      'directory_fsync = true',
      '```',
    ],
  },
  {
    heading: 'How SQLite does it',
    own: [
      'SQLite\'s own write-ahead log mode solves the same problem for a much more general store, and reading its documentation was humbling.',
      'Its WAL file holds whole pages rather than logical records, and readers consult an index in shared memory to find the newest version of each page.',
      'A checkpoint copies pages from the WAL back into the database file, much as ours writes a new table.',
      'The synchronous setting decides whether commits wait for a flush, and NORMAL in WAL mode trades the last transactions for speed.',
      'If all you need is a durable map from keys to values, SQLite in WAL mode is very hard to beat, and we said so in the review.',
      'We built our own because we needed to ship the log to replicas record by record, which a page-based WAL does not give you.',
    ],
    after: () => [
      'For comparison, these are the settings we used when we benchmarked SQLite against our store:',
      '',
      '```sql',
      'PRAGMA journal_mode = WAL;',
      'PRAGMA synchronous = FULL;',
      'PRAGMA wal_autocheckpoint = 4096;',
      '',
      'CREATE TABLE IF NOT EXISTS kv (',
      '    key   BLOB PRIMARY KEY,',
      '    value BLOB NOT NULL',
      ') WITHOUT ROWID;',
      '',
      'INSERT INTO kv (key, value) VALUES (?1, ?2)',
      '    ON CONFLICT (key) DO UPDATE SET value = excluded.value;',
      '',
      'SELECT value FROM kv WHERE key = ?1;',
      '```',
    ],
  },
  {
    heading: 'Measuring it',
    own: [
      'Every number in this section comes from the same benchmark tool, run three times, with the median reported.',
      'The load generator runs on the same machine, pinned to its own cores, so that network effects do not hide disk effects.',
      'We report throughput at a fixed number of concurrent writers and latency at a fixed rate, because each hides the other.',
      'A run that finishes with errors is discarded, and the errors are treated as a bug rather than as noise.',
      'The drives were trimmed and left idle for an hour before each series, since a drive that is still garbage-collecting is slower.',
      'We also ran every series with the drive\'s write cache disabled, to see what the numbers look like without the cache\'s help.',
    ],
    after: () => [
      'The whole series is one script:',
      '',
      '```bash',
      '#!/usr/bin/env bash',
      'set -euo pipefail',
      '',
      'DEVICE=${DEVICE:-/dev/nvme0n1}',
      'OUT=results/$(date +%Y%m%d-%H%M%S)',
      'mkdir -p "$OUT"',
      '',
      'sudo fstrim -v /mnt/bench',
      'sleep 3600',
      '',
      'for writers in 1 4 16 64 256; do',
      '  for run in 1 2 3; do',
      '    taskset -c 2,3 ./target/release/kv-bench \\',
      '      --dir /mnt/bench/kv --writers "$writers" --value-size 100 \\',
      '      --duration 300s --json > "$OUT/writers-$writers-run-$run.json"',
      '  done',
      'done',
      '',
      'jq -s \'group_by(.writers) | map({writers: .[0].writers, ops: (map(.ops_per_sec) | sort | .[1])})\' \\',
      '  "$OUT"/*.json > "$OUT/summary.json"',
      '```',
      '',
      'Results on the laptop, 100-byte values:',
      '',
      '| Writers | Ops/s | p50 latency | p99 latency | Flushes/s |',
      '|---:|---:|---:|---:|---:|',
      '| 1 | 4,210 | 0.23 ms | 0.41 ms | 4,210 |',
      '| 4 | 13,880 | 0.27 ms | 0.52 ms | 3,950 |',
      '| 16 | 47,100 | 0.31 ms | 0.74 ms | 3,620 |',
      '| 64 | 151,300 | 0.39 ms | 1.20 ms | 3,180 |',
      '| 256 | 402,900 | 0.58 ms | 2.90 ms | 2,310 |',
    ],
  },
  {
    heading: 'Testing crash safety',
    own: [
      'Unit tests cannot show that a store survives a crash, because the crash has to happen between two system calls the test does not control.',
      'Our crash test runs the store in a child process, kills it with SIGKILL at a random moment, and checks the recovered state against what was acknowledged.',
      'To simulate power loss rather than a process crash, the file system layer records every write and flush and replays a random prefix that respects the flushes.',
      'Each run takes about a second, so the suite runs ten thousand of them every night.',
      'The test found eleven bugs in the first month, three of them in code that had been reviewed by everyone on the team.',
      'Every bug it finds becomes a fixed seed in the regular test suite, so it stays found.',
    ],
    after: () => [
      'The checker that compares the recovered store with the acknowledged writes is written in TypeScript, because it also drives the HTTP API in the integration tests:',
      '',
      '```typescript',
      'interface Ack {',
      '  key: string;',
      '  value: string;',
      '  sequence: number;',
      '}',
      '',
      'export async function checkRecovery(client: KvClient, acked: Ack[], unacked: Set<string>): Promise<string[]> {',
      '  const problems: string[] = [];',
      '  const latest = new Map<string, Ack>();',
      '  for (const ack of acked) {',
      '    const seen = latest.get(ack.key);',
      '    if (!seen || seen.sequence < ack.sequence) latest.set(ack.key, ack);',
      '  }',
      '  for (const [key, ack] of latest) {',
      '    const value = await client.get(key);',
      '    if (value === ack.value) continue;',
      '    if (value !== null && unacked.has(`${key}=${value}`)) continue;',
      '    problems.push(`${key}: expected ${ack.value}, found ${value ?? "nothing"}`);',
      '  }',
      '  return problems;',
      '}',
      '```',
      '',
      'The nightly job that runs it is plain CI configuration:',
      '',
      '```yaml',
      'name: crash-test',
      'on:',
      '  schedule:',
      '    - cron: "17 2 * * *"',
      'jobs:',
      '  crash:',
      '    runs-on: ubuntu-latest',
      '    timeout-minutes: 240',
      '    steps:',
      '      - uses: actions/checkout@v4',
      '      - run: cargo build --release --bin crash-test',
      '      - run: ./target/release/crash-test --runs 10000 --seed-file seeds.txt',
      '      - if: failure()',
      '        uses: actions/upload-artifact@v4',
      '        with:',
      '          name: failing-seeds',
      '          path: crash-test-failures/',
      '```',
    ],
  },
  {
    heading: 'What we would do differently',
    own: [
      'Looking back, most of our mistakes came from trusting a layer we had not tested ourselves.',
      'We would write the crash test before the store, not after, since it found the bugs that mattered.',
      'We would keep the record format even simpler, with no optional fields at all.',
      'We would measure on the slowest storage our users run from the first day, instead of discovering it from a bug report.',
      'And we would write this post earlier, because explaining the design to others found two problems that no test did.',
    ],
    after: () => [
      'In short:',
      '',
      '- Write the crash test first, and run it every night.',
      '- Flush the directory after every rename, and after creating a file.',
      '- Treat a failed `fsync` as fatal, then recover from what is on disk.',
      '- Batch by letting requests queue during a flush, not with a timer.',
      '- Keep every format versioned, and keep old files as fixtures.',
      '- Check the drives: a volatile write cache without power-loss protection makes every guarantee above void.',
      '',
      '> Durability is not a feature you add to a store; it is the property that every other feature has to preserve.',
    ],
  },
];

/** Words as the server counts them, near enough: code counts, markup does not. */
function countWords(markdown) {
  let fenced = false;
  let words = 0;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) {
      fenced = !fenced;
      continue;
    }
    const tokens = line.split(/\s+/).filter(Boolean);
    words += fenced ? tokens.length : tokens.filter((t) => /[\p{L}\p{N}]/u.test(t)).length;
  }
  return words;
}

/** The benchmark's post: the sections in order, each with prose from its own
 * and the shared sentences, grown a paragraph at a time to about 6,000 words. */
function technicalPost() {
  const next = random(19);
  const prose = sections.map(() => []);
  const paragraph = (s, k) => {
    const own = sections[s].own;
    const picked = [own[(2 * k) % own.length], own[(2 * k + 1) % own.length]];
    const count = 2 + Math.floor(next() * 3);
    for (let i = 0; i < count; i++) picked.splice(1 + Math.floor(next() * picked.length), 0, shared[Math.floor(next() * shared.length)]);
    return picked.join(' ');
  };
  const render = () => {
    const parts = [FIRST + ' ' + shared[0] + ' ' + shared[1], ''];
    sections.forEach((section, s) => {
      parts.push(`## ${section.heading}`, '');
      const paragraphs = prose[s];
      const half = Math.ceil(paragraphs.length / 2);
      for (const text of paragraphs.slice(0, half)) parts.push(text, '');
      if (section.anchor) parts.push(`${ANCHOR} ${sections[s].own[0]}`, '');
      if (section.after) parts.push(...section.after(), '');
      for (const text of paragraphs.slice(half)) parts.push(text, '');
    });
    parts.push('## Further reading', '');
    parts.push(
      '- [SQLite: Write-Ahead Logging](https://www.sqlite.org/wal.html)',
      '- [PostgreSQL: Reliability and the Write-Ahead Log](https://www.postgresql.org/docs/current/wal.html)',
      '- [Files are hard](https://danluu.com/file-consistency/)',
      '- [All File Systems Are Not Created Equal (OSDI 2014)](https://www.usenix.org/conference/osdi14/technical-sessions/presentation/pillai)',
      '- [Can Applications Recover from fsync Failures? (ATC 2020)](https://www.usenix.org/conference/atc20/presentation/rebello)',
      '',
      LAST,
      '',
    );
    return parts.join('\n');
  };
  let s = 0;
  for (let text = render(); countWords(text) < TARGET_WORDS; text = render()) {
    prose[s].push(paragraph(s, prose[s].length));
    s = (s + 1) % sections.length;
  }
  return render();
}

// ---------------------------------------------------------------- the API from Node

async function api(method, path, { token, body } = {}) {
  const headers = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(origin + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(WAIT),
  });
  const text = await response.text();
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : null;
}

/** The posts list the writer sees: a dozen short posts, the long one on top. */
async function createPosts(markdown) {
  const token = (await api('POST', '/api/v1/auth/login', { body: { email: adminEmail, password: adminPassword } })).access_token;
  for (let i = 1; i <= 12; i++) {
    const short = `Notes on part ${i} of the series.\n\n## Outline\n\n- What changed\n- Why it matters\n\n${shared.slice(i, i + 4).join(' ')}\n`;
    await api('POST', '/api/v1/admin/posts', { token, body: { title: `Storage notes, part ${i}`, markdown: short } });
  }
  const { post } = await api('POST', '/api/v1/admin/posts', { token, body: { title: TITLE, markdown } });
  return post;
}

// ---------------------------------------------------------------- the browser

/** Installed before the app's scripts in every page: marks, on the page's
 * clock, when each screen is ready, and remembers the clicks. */
function watchScreens(expect) {
  try {
    performance.setResourceTimingBufferSize(2000);
  } catch {
    // an old browser keeps its default
  }
  const bench = (window.__bench = { ready: {}, clicks: [], docCheck: null });
  document.addEventListener('click', (e) => bench.clicks.push(e.timeStamp), true);
  // CodeMirror's EditorView from its DOM, as EditorView.findFromDOM does it
  // (cmTile since @codemirror/view 6.38, cmView before).
  const viewOf = (content) => content?.cmTile?.root?.view ?? content?.cmView?.rootView?.view ?? null;
  bench.view = () => viewOf(document.querySelector('.cm-content'));
  const heading = (text) => [...document.querySelectorAll('h1')].some((h) => h.textContent.trim() === text);
  const checks = {
    signIn: () => heading('Sign in') && document.querySelector('input[type="email"]') && document.querySelector('button[type="submit"]:not([disabled])'),
    posts: () => heading('Posts') && document.querySelector('[data-testid="post-row"] a'),
    // Editable, the start of the text on screen, and all of it in the editor
    // (CodeMirror draws only the lines in view, so the end is checked in its state).
    editor: () => {
      const content = document.querySelector('.cm-content[contenteditable="true"]');
      if (!content || !content.textContent.includes(expect.first)) return false;
      const view = viewOf(content);
      if (!view) {
        bench.docCheck = 'screen only';
        return true;
      }
      const doc = view.state.doc;
      bench.docCheck = 'editor state';
      return doc.length >= expect.length && doc.sliceString(Math.max(0, doc.length - expect.last.length - 400)).includes(expect.last);
    },
  };
  const options = { subtree: true, childList: true, attributes: true, characterData: true };
  const observer = new MutationObserver(() => {
    for (const name of watched) if (!(name in bench.ready) && checks[name]()) bench.ready[name] = performance.now();
    if ('editor' in bench.ready) observer.disconnect(); // nothing to watch while typing
  });
  let watched = Object.keys(checks);
  observer.observe(document, options);
  // Forget the marks and watch for one screen again, for another visit within the page.
  bench.rearm = (name) => {
    bench.ready = {};
    watched = [name];
    observer.observe(document, options);
  };
}

async function launch() {
  return chromium.launch({
    timeout: 30_000,
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
    ],
  });
}

async function newContext(browser, expect) {
  // Accept-Encoding: gzip alone, so the server sends the gzip variants the budget is about.
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, extraHTTPHeaders: { 'Accept-Encoding': 'gzip' } });
  context.setDefaultTimeout(WAIT);
  await context.addInitScript(watchScreens, expect);
  return context;
}

/** A page whose HTTP cache is off: every file comes over the network. */
async function uncachedPage(context) {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  return page;
}

/** Watches the scripts' Content-Encoding as the server answered. */
function encodings(page) {
  const seen = new Map();
  page.on('response', (response) => {
    if (response.request().resourceType() === 'script') seen.set(response.url(), response.headers()['content-encoding'] ?? 'identity');
  });
  return seen;
}

async function waitReady(page, name) {
  await page.waitForFunction((n) => n in (window.__bench?.ready ?? {}), name, { timeout: WAIT, polling: 50 });
  return page.evaluate((n) => window.__bench.ready[n], name);
}

/** Waits until no resource has started for QUIET_MS. */
async function quiet(page) {
  let last = -1;
  for (;;) {
    const count = await page.evaluate(() => performance.getEntriesByType('resource').length);
    if (count === last) return;
    last = count;
    await sleep(QUIET_MS);
  }
}

async function resources(page) {
  return page.evaluate(() =>
    performance.getEntriesByType('resource').map((e) => ({
      url: e.name,
      start: e.startTime,
      end: e.responseEnd,
      transfer: e.transferSize,
      encoded: e.encodedBodySize,
      decoded: e.decodedBodySize,
    })),
  );
}

const isScript = (entry) => new URL(entry.url).pathname.endsWith('.js');

function scriptSummary(entries, seen) {
  const scripts = entries.map((e) => ({
    file: new URL(e.url).pathname.split('/').pop(),
    transfer_bytes: e.transfer,
    gzip_bytes: e.encoded,
    bytes: e.decoded,
    encoding: seen.get(e.url) ?? 'unknown',
  }));
  const sum = (key) => scripts.reduce((total, s) => total + s[key], 0);
  scripts.sort((a, b) => b.transfer_bytes - a.transfer_bytes);
  return { transfer_bytes: sum('transfer_bytes'), gzip_bytes: sum('gzip_bytes'), bytes: sum('bytes'), files: scripts.length, scripts };
}

/** The scripts a first screen loads before it is ready, and after it (until quiet). */
async function firstScreen(page, path, name, seen) {
  await page.goto(base + path, { waitUntil: 'commit' });
  const ready = await waitReady(page, name);
  await quiet(page);
  const scripts = (await resources(page)).filter(isScript);
  return {
    ready_ms: round(ready),
    before_ready: scriptSummary(scripts.filter((e) => e.end <= ready), seen),
    after_ready: scriptSummary(scripts.filter((e) => e.end > ready), seen),
  };
}

async function signIn(page) {
  await page.getByLabel('Email').fill(adminEmail);
  await page.getByLabel('Password').fill(adminPassword);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Posts' }).waitFor();
}

/** The post's title in the list (by its address: an earlier run against
 * the same server left posts of the same title). */
function titleLink(page, id) {
  return page.getByRole('link', { name: TITLE, exact: true }).and(page.locator(`[href$="/${id}"]`));
}

/** From the posts list, a click on the post's title until it is editable;
 * then back to the list and the same again, the editor's code now loaded. */
async function openFromList(page, id) {
  await page.goto(`${base}/admin/posts`, { waitUntil: 'commit' });
  const times = [];
  for (const back of [false, true]) {
    if (back) {
      await page.evaluate(() => window.__bench.rearm('posts'));
      await page.getByRole('link', { name: '← Posts' }).click();
    }
    await waitReady(page, 'posts');
    await quiet(page);
    if (back) await page.evaluate(() => window.__bench.rearm('editor'));
    await titleLink(page, id).click();
    const ready = await waitReady(page, 'editor');
    times.push(ready - (await page.evaluate(() => window.__bench.clicks)).pop());
  }
  return { ms: times[0], again: times[1] };
}

/** A load of /admin/posts/ID: from the start of the navigation until editable. */
async function loadDirect(page, id) {
  await page.goto(`${base}/admin/posts/${id}`, { waitUntil: 'commit' });
  const ready = await waitReady(page, 'editor');
  const entries = await resources(page);
  const entry = (part) => entries.find((e) => e.url.includes(part)) ?? {};
  const nav = await page.evaluate(() => performance.getEntriesByType('navigation')[0]?.responseEnd ?? null);
  // The waterfall: page, app script, session refresh, the editor's script, the post, editable.
  return {
    ms: ready,
    steps: {
      page: nav,
      app_script: entry('/admin/assets/index-').end ?? null,
      refresh: entry('/api/v1/auth/refresh').end ?? null,
      editor_script: entry('/admin/assets/EditorScreen-').end ?? null,
      post_asked: entry(`/api/v1/admin/posts/${id}`).start ?? null,
      post: entry(`/api/v1/admin/posts/${id}`).end ?? null,
      editable: ready,
    },
  };
}

function round(x, digits = 1) {
  return x === null || x === undefined ? null : Math.round(x * 10 ** digits) / 10 ** digits;
}

/** Percentile q (0-100) with linear interpolation between the closest ranks. */
function percentile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = ((sorted.length - 1) * q) / 100;
  const low = Math.floor(at);
  return sorted[low] + (sorted[Math.min(low + 1, sorted.length - 1)] - sorted[low]) * (at - low);
}

function stats(samples) {
  return {
    runs: samples.length,
    median_ms: round(percentile(samples, 50)),
    p95_ms: round(percentile(samples, 95)),
    min_ms: round(Math.min(...samples)),
    max_ms: round(Math.max(...samples)),
    samples_ms: samples.map((x) => round(x)),
  };
}

function medianSteps(list) {
  const steps = {};
  for (const key of Object.keys(list[0])) {
    const values = list.map((s) => s[key]).filter((v) => v !== null);
    steps[`${key}_ms`] = values.length ? round(percentile(values, 50)) : null;
  }
  return steps;
}

// ---------------------------------------------------------------- typing

// A few hundred characters a writer adds to the middle of the post: a
// sentence, a new paragraph, a list.
const TYPED =
  ' The manifest uses the same record format as the log, so one reader handles both.\n\n' +
  'A second reader for the manifest would have been simpler to write, but every format we keep is one more format to fuzz, and the fuzzer found four bugs in its first week.\n\n' +
  '- fuzz the manifest reader\n- keep old manifests as fixtures\n';

/** Delays between keys of a quick typist (about 90 words a minute), with
 * pauses at the ends of sentences and lines; the same every run. */
function keyDelays(text) {
  const next = random(7);
  return [...text].map((ch) => (ch === '\n' || ch === '.' || ch === ',' ? 250 + next() * 250 : 60 + next() * 90));
}

/** Puts the cursor after the anchor sentence, in the middle of the post. */
async function placeCursor(page) {
  const placed = await page.evaluate((anchor) => {
    const view = window.__bench.view();
    const at = view.state.doc.toString().indexOf(anchor);
    if (at < 0) return null;
    view.dispatch({ selection: { anchor: at + anchor.length }, scrollIntoView: true });
    view.focus();
    return { at, length: view.state.doc.length };
  }, ANCHOR);
  if (!placed) throw new Error('the anchor sentence is not in the editor');
  return placed;
}

async function observeTyping(page) {
  await page.evaluate(() => {
    const t = (window.__bench.typing = { events: [], longTasks: [], frames: [], counts: {}, keys: [] });
    // Which key each event belongs to: an Event Timing entry's startTime is its event's timeStamp.
    document.addEventListener('keydown', (e) => t.keys.push([e.timeStamp, e.key]), { capture: true, passive: true });
    for (const name of ['keydown', 'keypress', 'keyup', 'beforeinput', 'input']) t.counts[name] = performance.eventCounts?.get(name) ?? 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        t.events.push({ name: e.name, start: e.startTime, duration: e.duration, processing: e.processingEnd - e.processingStart, delay: e.processingStart - e.startTime });
      }
    }).observe({ type: 'event', durationThreshold: 16 });
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) t.longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask' });
    try {
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) {
          const scripts = (e.scripts ?? []).map((s) => ({ invoker: s.invoker, source: s.sourceURL.split('/').pop(), duration: Math.round(s.duration) }));
          t.frames.push({ start: e.startTime, duration: e.duration, blocking: e.blockingDuration, scripts });
        }
      }).observe({ type: 'long-animation-frame' });
    } catch {
      // Long Animation Frames are Chromium 123+; they only explain, they are not the measure
    }
    t.start = performance.now();
  });
}

async function typeSlowly(page) {
  const delays = keyDelays(TYPED);
  const started = Date.now();
  let i = 0;
  for (const ch of TYPED) {
    if (ch === '\n') await page.keyboard.press('Enter');
    else await page.keyboard.type(ch);
    await sleep(delays[i++]);
  }
  return (Date.now() - started) / 1000;
}

const KEY_EVENTS = new Set(['keydown', 'keypress', 'keyup', 'beforeinput', 'input']);

async function collectTyping(page) {
  const t = await page.evaluate(() => {
    const t = window.__bench.typing;
    t.end = performance.now();
    for (const name in t.counts) t.counts[name] = (performance.eventCounts?.get(name) ?? 0) - t.counts[name];
    return t;
  });
  const keys = t.events.filter((e) => KEY_EVENTS.has(e.name));
  const keyOf = (start) => t.keys.filter(([at]) => at <= start + 0.5).pop()?.[1] ?? null;
  const over = keys.filter((e) => e.processing > 16);
  const long = t.longTasks.filter((e) => e.start >= t.start);
  return {
    events_counted: t.counts,
    event_timing: {
      // Entries come for events of 16 ms or more from input to the next
      // frame; in headless Chromium that is most of them, frames being lazy.
      entries: keys.length,
      max_processing_ms: keys.length ? round(Math.max(...keys.map((e) => e.processing))) : null,
      processing_over_16ms: over.length,
      max_duration_ms: keys.length ? round(Math.max(...keys.map((e) => e.duration))) : null,
      slowest: [...keys].sort((a, b) => b.processing - a.processing).slice(0, 8).map((e) => ({
        name: e.name,
        key: keyOf(e.start),
        processing_ms: round(e.processing),
        duration_ms: round(e.duration),
        delay_ms: round(e.delay),
      })),
    },
    long_tasks: {
      count: long.length,
      max_ms: long.length ? round(Math.max(...long.map((e) => e.duration))) : null,
      total_ms: round(long.reduce((sum, e) => sum + e.duration, 0)),
    },
    long_frames: t.frames
      .filter((f) => f.start >= t.start)
      .sort((a, b) => b.duration - a.duration)
      .slice(0, 5)
      .map((f) => ({ duration_ms: round(f.duration), blocking_ms: round(f.blocking), scripts: f.scripts.slice(0, 4) })),
  };
}

/** The same typing under Chromium's tracer: the time of every event
 * dispatch, not only of those the Event Timing API reports (16 ms and more). */
function dispatchTimes(trace) {
  const events = JSON.parse(trace.toString()).traceEvents ?? [];
  // The editor's main thread is the one its keys are dispatched on (the
  // sandboxed preview may have a renderer of its own).
  const mains = new Set(events.filter((e) => e.name === 'EventDispatch' && e.args?.data?.type === 'keydown').map((e) => `${e.pid}:${e.tid}`));
  const byType = {};
  for (const e of events) {
    if (e.ph !== 'X' || !mains.has(`${e.pid}:${e.tid}`)) continue;
    if (e.name !== 'EventDispatch') continue;
    const type = e.args?.data?.type;
    if (!KEY_EVENTS.has(type)) continue;
    (byType[type] ??= []).push(e.dur / 1000);
  }
  const all = Object.values(byType).flat();
  return {
    dispatches: all.length,
    max_ms: all.length ? round(Math.max(...all), 2) : null,
    p95_ms: all.length ? round(percentile(all, 95), 2) : null,
    median_ms: all.length ? round(percentile(all, 50), 2) : null,
    over_16ms: all.filter((d) => d > 16).length,
    by_type: Object.fromEntries(Object.entries(byType).map(([k, v]) => [k, { count: v.length, max_ms: round(Math.max(...v), 2) }])),
  };
}

async function typingRun(context, id, traced) {
  const page = await context.newPage();
  await page.goto(`${base}/admin/posts/${id}`, { waitUntil: 'commit' });
  await waitReady(page, 'editor');
  await quiet(page);
  await placeCursor(page);
  await sleep(1000);
  if (traced) await context.browser().startTracing(page, { categories: ['devtools.timeline'] });
  await observeTyping(page);
  const seconds = await typeSlowly(page);
  await sleep(1000); // the work a keystroke starts but does not finish at once
  const result = await collectTyping(page);
  let trace = null;
  if (traced) {
    const buffer = await context.browser().stopTracing();
    // For a closer look in DevTools' Performance panel.
    if (process.env.BENCH_ADMIN_TRACE) writeFileSync(process.env.BENCH_ADMIN_TRACE, buffer);
    trace = dispatchTimes(buffer);
  }
  const typed = await page.evaluate((tail) => window.__bench.view().state.doc.toString().includes(tail), TYPED.trim().split('\n').pop());
  if (!typed) throw new Error('the typed text is not in the editor');
  await page.getByTestId('save-status').filter({ hasText: /^Saved$/ }).waitFor({ timeout: WAIT });
  await page.close();
  return { seconds: round(seconds), ...result, trace };
}

// ---------------------------------------------------------------- the run

async function main() {
  const markdown = technicalPost();
  const post = await createPosts(markdown);
  const lastParagraph = markdown.trim().split('\n\n').pop();
  const expect = { first: FIRST.slice(0, 80), last: lastParagraph.slice(-100), length: (post.markdown ?? markdown).trimEnd().length };
  const fences = [...markdown.matchAll(/^```(\w+)/gm)].map((m) => m[1]);
  log(`post ${post.id}: ${post.word_count} words, ${markdown.length} characters, code in ${[...new Set(fences)].join(', ')}`);

  const browser = await launch();
  const result = {
    chromium: browser.version(),
    runs: RUNS,
    post: {
      id: post.id,
      words: post.word_count,
      characters: markdown.length,
      lines: markdown.split('\n').length,
      code_blocks: fences.length,
      languages: [...new Set(fences)],
      tables: (markdown.match(/^\|---/gm) ?? []).length,
    },
  };
  try {
    const context = await newContext(browser, expect);

    log('first screens: sign-in, then the posts list, each with an empty HTTP cache');
    const signInPage = await uncachedPage(context);
    const signInSeen = encodings(signInPage);
    const signInScreen = await firstScreen(signInPage, '/admin/', 'signIn', signInSeen);
    await signIn(signInPage);
    await signInPage.close();
    const listPage = await uncachedPage(context);
    const listSeen = encodings(listPage);
    const postsScreen = await firstScreen(listPage, '/admin/posts', 'posts', listSeen);

    log('the editor\'s own scripts: the first open of the post, HTTP cache still off');
    await titleLink(listPage, post.id).click();
    const coldReady = await waitReady(listPage, 'editor');
    const coldClick = (await listPage.evaluate(() => window.__bench.clicks)).pop();
    await quiet(listPage);
    const lazy = (await resources(listPage)).filter((e) => isScript(e) && e.start >= coldClick);
    result.initial_js = { sign_in: signInScreen, posts: postsScreen };
    result.editor_js = {
      before_editable: scriptSummary(lazy.filter((e) => e.end <= coldReady), listSeen),
      after_editable: scriptSummary(lazy.filter((e) => e.end > coldReady), listSeen),
    };
    result.doc_check = await listPage.evaluate(() => window.__bench.docCheck);
    await listPage.close();

    log(`opening the post, ${RUNS} runs of each way, taken in turn`);
    const samples = { list: [], again: [], reload: [], cold: [] };
    const steps = { reload: [], cold: [] };
    for (let i = 0; i <= RUNS; i++) {
      const warmUp = i === 0; // the first of each fills caches (code cache, server's compressed variants)
      let page = await context.newPage();
      const list = await openFromList(page, post.id);
      await page.close();
      page = await context.newPage();
      const reload = await loadDirect(page, post.id);
      await page.close();
      page = await uncachedPage(context);
      const cold = await loadDirect(page, post.id);
      await page.close();
      if (warmUp) continue;
      samples.list.push(list.ms);
      samples.again.push(list.again);
      samples.reload.push(reload.ms);
      samples.cold.push(cold.ms);
      steps.reload.push(reload.steps);
      steps.cold.push(cold.steps);
    }
    result.open = {
      first_open_from_list_uncached_ms: round(coldReady - coldClick),
      from_list: stats(samples.list),
      from_list_again: stats(samples.again),
      load_cached: { ...stats(samples.reload), median_steps: medianSteps(steps.reload) },
      load_uncached: { ...stats(samples.cold), median_steps: medianSteps(steps.cold) },
    };

    log(`typing ${TYPED.length} characters in the middle of the post (Event Timing, then again traced)`);
    result.typing = await typingRun(context, post.id, false);
    result.typing.traced = (await typingRun(context, post.id, true)).trace;
    delete result.typing.trace;
    result.typing.characters = TYPED.length;
    await context.close();
  } finally {
    await browser.close();
  }
  console.log(JSON.stringify(result, null, 2));
}

main().catch((error) => {
  log(`FAILED: ${error.stack ?? error}`);
  process.exit(1);
});
