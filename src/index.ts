/**
 * rdbtool as a library. Everything public is exported here by name; other modules are
 * internal and may change.
 *
 * Typical use:
 * ```ts
 * import { openSource, inspectRdb, exportRdb, stdoutSink } from 'rdbtool';
 * const report = await inspectRdb(await openSource('dump.rdb'));
 * await exportRdb(await openSource('dump.rdb'), stdoutSink(), { filter: { match: 'user:*' } });
 * ```
 * The library never prints, exits or reads `process.argv`; failures are thrown as typed
 * {@link RdbtoolError}s.
 */

// ---------------------------------------------------------------- decoding

/**
 * The streaming RDB decoder: `new RdbDecoder(handler, options)`, then `push(chunk)` as bytes
 * arrive and `end()` when they stop. Calls the {@link RdbHandler} synchronously.
 */
export { RdbDecoder } from './rdb/decoder.js';
/** Options of the decoder (`verify: 'deep' | 'shallow'`, `checksum`, `strictChecksum`, `limits`) and what `end()` returns. */
export type { RdbDecoderOptions, RdbSummary } from './rdb/decoder.js';

/**
 * The scan driver every reader goes through: one file (RDB, hybrid or plain AOF by content,
 * or an RDB only) over a {@link ByteSource}, 1 MiB at a time, with progress, abort and
 * backpressure; damage returned or thrown (`onDamage`), a handler's own errors passed through.
 */
export { driveScan } from './pipeline/scan-driver.js';
/** Options of {@link driveScan}; the progress record. */
export type { ScanDriverOptions, ScanProgress } from './pipeline/scan-driver.js';
/** An RDB through the driver, damage thrown, bytes after the trailer counted only. */
export { scanRdb } from './pipeline/scan.js';
/** Options and result of {@link scanRdb}. */
export type { ScanOptions, ScanResult } from './pipeline/scan.js';

// ---------------------------------------------------------------- input and output

/** Opens a file (or `-` for stdin) as a byte source; wraps bytes already in memory as one. */
export { openSource, bytesSource, DEFAULT_CHUNK_BYTES } from './io/source.js';
/** Somewhere bytes come from. */
export type { ByteSource } from './io/source.js';

/** Buffered, EPIPE-safe output: to a file, stdout, any writable stream, or memory. */
export { openFileSink, stdoutSink, streamSink, memorySink, OutputClosedError, DEFAULT_SINK_BUFFER_BYTES } from './io/byte-sink.js';
/** Somewhere output goes. */
export type { ByteSink, MemorySink, StreamSinkOptions } from './io/byte-sink.js';
/** Whole records only: an unfinished record is held (in a temporary file beyond `spillBytes`) and dropped on failure. */
export { RecordSink, DEFAULT_SPILL_BYTES } from './io/record-sink.js';
export type { RecordSinkOptions, RecordOutput } from './io/record-sink.js';

// ---------------------------------------------------------------- the data model

/** The decoder's callback interface and the records it passes (byte views valid only during a call). */
export type {
  RdbHandler,
  RdbHeader,
  RdbEnd,
  KeyInfo,
  StreamId,
  StreamMeta,
  StreamGroup,
  StreamConsumer,
  StreamPending,
  StreamIdmp,
  ModuleBlob,
  ChecksumStatus,
} from './model/events.js';
/** Redis value types, encodings and file dialects; the RDB type byte table. */
export { typeInfo } from './model/redis-types.js';
/** Redis value types, on-disk encodings, file dialects, and what a type byte stands for. */
export type { ValueType, Encoding, Dialect, TypeInfo } from './model/redis-types.js';

// ---------------------------------------------------------------- errors and limits

/** Typed errors: every failure carries a stable code, the file, the offset, expected/found and context. */
export { RdbtoolError, CorruptDataError, TruncatedError, LimitError, InputError, UsageError } from './errors.js';
/** Error codes, what the decoder was doing, and the error's context and constructor fields. */
export type { ErrorCode, Doing, ErrorContext, ErrorInit } from './errors.js';

/** Size limits for untrusted input, their defaults and the CLI option raising each. */
export { DEFAULT_LIMITS, LIMIT_OPTION, resolveLimits } from './limits.js';
/** The limits record. */
export type { Limits } from './limits.js';

// ---------------------------------------------------------------- filters

/** Key predicates (`db`, `type`, Redis glob `match`) and Redis's glob matcher over bytes. */
export { createKeyFilter, globMatch, parseValueTypes, VALUE_TYPES } from './pipeline/filters.js';
/** Filter options and the predicate type. */
export type { KeyFilterOptions, KeyPredicate } from './pipeline/filters.js';

// ---------------------------------------------------------------- the dataset

/**
 * The in-memory dataset — what a server holds after loading a file — filled from an RDB (a
 * file, a hybrid preamble, a multi-part base) by {@link loadRdb}, or by the handler of
 * {@link createDatasetLoader} under any scan driver. Byte strings are `ByteString`s (Latin-1
 * JavaScript strings, one char per byte): convert with `toByteString` / `fromByteString`.
 */
export { Dataset } from './dataset/dataset.js';
export type { DatasetOptions, DatasetSource, DatasetAux, ModuleAuxRecord, KeyEntry, DroppedExpired } from './dataset/dataset.js';
export { Database } from './dataset/database.js';
export { loadRdb, createDatasetLoader } from './dataset/load-rdb.js';
export type { LoadRdbOptions, LoadRdbResult, LoadStats, DatasetLoader, DatasetLoaderOptions } from './dataset/load-rdb.js';
/** Values by type (a string value is the ByteString itself). */
export { valueType, valueLength, cloneValue } from './dataset/value.js';
export type { Value } from './dataset/value.js';
export { ListValue } from './dataset/list.js';
export { SetValue } from './dataset/set.js';
export { ZSetValue } from './dataset/zset.js';
export { HashValue } from './dataset/hash.js';
export { StreamValue, StreamGroupState, UNKNOWN_ENTRIES_READ } from './dataset/stream.js';
export type { PendingEntry, StreamConsumerState, StreamIdmpState } from './dataset/stream.js';
export { ModuleValue } from './dataset/module.js';
export { ArrayValue } from './dataset/array.js';
export { GcraValue } from './dataset/gcra.js';
export { FunctionLibraries, parseLibraryHeader } from './dataset/functions.js';
export type { LibraryHeader } from './dataset/functions.js';
/** Byte strings and stream IDs as the dataset holds them. */
export { toByteString, fromByteString, MAX_BYTE_STRING } from './dataset/byte-string.js';
export type { ByteString } from './dataset/byte-string.js';
export { streamIdKey, streamIdText, streamIdFromParts, streamIdParts, nextStreamId, MIN_STREAM_ID, MAX_STREAM_ID } from './dataset/stream-id.js';
export type { StreamIdKey } from './dataset/stream-id.js';
/** Order-free digests of keys and datasets, for comparing two datasets. */
export { keyDigest, datasetDigest } from './dataset/digest.js';
export type { DigestOptions } from './dataset/digest.js';

// ---------------------------------------------------------------- replay

/**
 * The AOF replay: the commands of an AOF, a hybrid file or a multi-part set applied to a
 * dataset with Redis's semantics — the dataset a server holds once it has loaded them.
 */
export { replayPath, replayInput, replaySource } from './replay/replay-input.js';
export type { ReplayInputOptions, ReplayResult } from './replay/replay-input.js';
export { ReplayEngine } from './replay/engine.js';
export type { ReplayOptions, ReplayStats } from './replay/engine.js';
export { ReplayError } from './replay/errors.js';
/** A dataset read out as RDB events (so any RDB consumer runs on it), and its export. */
export { emitDataset, loadEncoding } from './dataset/emit-events.js';
export { exportDataset, exportReplay } from './export/export-dataset.js';
export type { DatasetExportOptions, DatasetExportResult, ReplayExportOptions, ReplayExportResult } from './export/export-dataset.js';

// ---------------------------------------------------------------- inspect

/** One-pass summary of an RDB file (fast path: values are skipped). */
export { inspectRdb, OverviewAnalyzer, parseFunctionHeader } from './analyze/overview.js';
/** The inspect report and its parts. */
export type {
  InspectReport,
  InspectOptions,
  AuxField,
  ServerInfo,
  DbStats,
  TypeStats,
  EncodingStats,
  FunctionInfo,
  ModuleInfo,
  Totals,
  PartialRead,
} from './analyze/overview.js';
/** Top-N keys by on-disk size and element count (bounded heaps). */
export { BiggestKeys, TopN } from './analyze/biggest-keys.js';
/** An entry of the top-N lists, and the lists. */
export type { BigKey, BiggestKeysResult } from './analyze/biggest-keys.js';
/** Per-key summaries and the analyzer interface fed from `keyEnd`. */
export { toKeySummary, keyAnalyzersHandler } from './analyze/key-summary.js';
/** A finished key's facts, and a consumer of them. */
export type { KeySummary, KeyAnalyzer } from './analyze/key-summary.js';

// ---------------------------------------------------------------- export

/** RDB → NDJSON / JSON in the export schema (see the README). */
export { exportRdb, NdjsonExporter } from './export/export-ndjson.js';
/** Export options, result and layout. */
export type { ExportOptions, ExportResult, ExportFormat, ExporterOptions } from './export/export-ndjson.js';

// ---------------------------------------------------------------- presentation

/** The export schema's byte-string rule, zset scores and report-to-JSON conversion. */
export { bytesToJson, jsonToBytes, jsonBytesText, jsonScore, toJsonValue, stringifyJson } from './format/json.js';
/** A byte string or a score as the export schema writes it. */
export type { JsonBytes, JsonScore } from './format/json.js';
/** Terminal-safe escaping of binary keys. */
export { printable, quoted } from './format/printable.js';
/** Human byte sizes and exact counts. */
export { formatBytes, formatCount, formatBytesExact } from './format/bytes.js';
/** The inspect report as terminal text (one screen, or every table with `all`). */
export { renderInspect } from './format/reports/inspect.js';
export type { RenderOptions } from './format/reports/inspect.js';
/** What `inspectInput` found, as text or JSON, and the input's problem in one line. */
export { renderInputInspection, inspectProblem } from './format/reports/inspect-input.js';
export type { InputRenderOptions } from './format/reports/inspect-input.js';

// ---------------------------------------------------------------- AOF reading

/** The streaming RESP (AOF) decoder, and a one-shot helper for bytes in memory. */
export { RespDecoder, decodeResp, RespByte, ANNOTATION_LINE_MAX_BYTES } from './aof/resp-decoder.js';
/** Options of the RESP decoder. */
export type { RespDecoderOptions } from './aof/resp-decoder.js';
/** What the RESP decoder reports: commands, argument parts, annotations, and its verdict. */
export type { AofCommand, AofArgPart, AofAnnotation, AofHandler, AofVerdict, AofProblem, AofStatus, AofControl } from './model/aof-events.js';
/** Writing RESP commands and annotations. */
export { encodeCommand, encodeAnnotation, encodeTimestamp, RespWriter } from './aof/resp-encoder.js';
/** The multi-part AOF manifest: parsed with Redis's rules, written as Redis writes it. */
export { parseManifest, formatManifest, loadOrder, ManifestError, ManifestFileType } from './aof/manifest.js';
/** A parsed manifest and its entries. */
export type { Manifest, ManifestEntry, ManifestLine } from './aof/manifest.js';
/** One entry point for every input: resolve a path (file, stdin, directory, manifest) and read each file by content. */
export { resolveInput, readManifest, isManifestText } from './pipeline/detect.js';
/** What a path resolved to. */
export type { ResolvedInput, PartRef, PartLink } from './pipeline/detect.js';
/**
 * Reads one file (RDB, hybrid or plain AOF, chosen by its first bytes) with damage returned as
 * its problem and redis-check-aof's line numbers; or every file of an input.
 */
export { scanFile } from './pipeline/scan-file.js';
/** What a file's first bytes say. */
export { sniffStart } from './pipeline/scan-driver.js';
/** Options of {@link scanFile}. */
export type { FileScanOptions } from './pipeline/scan-file.js';
/** A file's scan: content, status, located problem, RDB summary and RESP verdict. */
export type { FileScan, FileHandlers, FileProblem, FileContent, FileStatus } from './pipeline/scan-driver.js';
/** Reads every file of a path or of a resolved input, in load order. */
export { scanPath, scanInput } from './pipeline/scan-input.js';
/** The outcome of reading an input. */
export type { InputScan, InputFile, InputHandlers, InputScanOptions } from './pipeline/scan-input.js';

// ---------------------------------------------------------------- check

/** Deep verification of an RDB, AOF, hybrid or multi-part AOF, with redis-check-aof's and Redis's verdicts. */
export { checkPath, checkInput, CHECK_SCHEMA_VERSION } from './analyze/check.js';
/** The check report and its parts. */
export type {
  CheckReport,
  CheckOptions,
  CheckedFile,
  CheckedRdb,
  CheckProblem,
  CheckProblemCode,
  Severity,
  RedisCheckAofLine,
  RedisStartVerdict,
  RedisTruncation,
} from './analyze/check.js';
/** The check report as terminal text. */
export { renderCheck, renderCheckSummary } from './format/reports/check.js';
/** Many inputs at once (directories searched, worker threads), with the backup policy and a target server. */
export { checkPaths, CHECK_RUN_SCHEMA_VERSION } from './analyze/check-run.js';
export type { CheckRunReport, CheckRunOptions, CheckRunSummary, InputResult, InputStatus } from './analyze/check-run.js';
export { findInputs } from './analyze/check-inputs.js';
export type { FoundInput, FindInputsOptions } from './analyze/check-inputs.js';
/** The backup policy rules. */
export { applyPolicy, parseDuration, writtenAt } from './analyze/check-policy.js';
export type { CheckPolicy, BaselineFacts } from './analyze/check-policy.js';
export type { FileFacts, KeyMark } from './analyze/check-facts.js';
/** Which Redis and Valkey releases load an input. */
export { judgeReport } from './analyze/check-compat.js';
export type { CheckCompat } from './analyze/check-compat.js';
/** The check run as JUnit XML. */
export { renderJunit } from './format/reports/check-junit.js';

// ---------------------------------------------------------------- repair

/** Plan and apply the cut `redis-check-aof --fix` (or `--truncate-to-timestamp`) makes, safely: backup, atomic write, read-back. */
export { planRepair, applyRepair, plannedWrites, readTimestampAnnotation, backupStamp } from './repair/repair.js';
/** The repair plan, its options and parts, and what applying it did. */
export type {
  RepairPlan,
  RepairPlanOptions,
  RepairAction,
  RepairRefusal,
  RepairTimestamp,
  RepairDamage,
  RepairTarget,
  RepairFileInfo,
  ApplyRepairOptions,
  RepairBackup,
  RepairVerification,
  RepairResult,
  RepairWrite,
} from './repair/repair.js';
/** Repair plans and results as text and JSON. */
export { renderRepairPlan, renderRepairResult, repairPlanJson, repairResultJson } from './repair/repair-render.js';
/** Crash-safe replacement of files and directories (temp file, fsync, rename, fsync of the directory). */
export { writePrefixAtomic, writeDirectoryAtomic, linkOrCopy, fileIdentity } from './io/atomic-write.js';
/** A file's identity (to notice it changed) and what the atomic writers take. */
export type { FileIdentity, AtomicWriteOptions, DirectoryEntry, BackupMethod } from './io/atomic-write.js';

// ---------------------------------------------------------------- AOF inspect and the commands export

/** Inspects any input chosen by content: the RDB report for a plain RDB file, the AOF report (files, commands, MULTI blocks, #TS dates, RDB preamble, verdict) otherwise. */
export { inspectInput, inspectAof, AofOverviewAnalyzer } from './analyze/aof-overview.js';
/** The AOF inspect report and its parts. */
export type { AofInspectReport, AofPartReport, AofInputVerdict, AofVerdictProblem, AofHistoryFile, AofInspectOptions, AofPartialRead, InputInspection } from './analyze/aof-overview.js';
/** Command statistics over AOF files (by name, by database, MULTI blocks, timestamps, biggest commands), bounded in memory. */
export { AofCommandStats, MAX_COMMAND_NAMES, MAX_COMMAND_NAME_BYTES, MAX_DATABASES, FIRST_ARG_PREVIEW_BYTES } from './analyze/aof-commands.js';
/** The parts of the command statistics. */
export type { AofCommandSummary, CommandStats, DbCommandStats, MultiStats, TimestampMark, BigCommand } from './analyze/aof-commands.js';
/** Telling an RDB from an AOF by its first bytes without losing them (stdin too), and a scan's problem as a typed error. */
export { peekSource, openRdbSource } from './analyze/aof-input.js';
/** What the first bytes of a file say, and a source that was looked at. */
export type { FileStart, PeekedSource } from './analyze/aof-input.js';
/** AOF → NDJSON, one line per command: {"file","offset","db","ts","argv"} (see the README). */
export { exportCommands, CommandExporter } from './export/export-commands.js';
/** Options and result of the commands export. */
export type { ExportCommandsOptions, ExportCommandsResult, CommandExporterOptions, CommandsOutput } from './export/export-commands.js';
/** The AOF inspect report as terminal text, and its verdict in one line. */
export { renderAofInspect, formatAofVerdict } from './format/reports/inspect-aof.js';

// ---------------------------------------------------------------- convert

/**
 * Conversion between the forms (RDB of any written version, AOF, hybrid, multi-part AOF, RESP,
 * NDJSON) for a target server: `convert(input, output, { to, target })`. What the target cannot
 * hold is refused with a ConvertRefusedError listing it, unless `drop` names its kind.
 */
export { convert, ConvertRefusedError, CONVERT_FORMS, AOF_FILENAME } from './convert/convert.js';
/** Options and result of a conversion. */
export type { ConvertOptions, ConvertResult, ConvertTo } from './convert/convert.js';
/** Which server a conversion writes for. */
export { resolveTarget, describeTarget, DEFAULT_TARGET } from './convert/target.js';
export type { ConvertTarget } from './convert/target.js';
/** What a target cannot hold, and the flags that drop it. */
export { LossTracker, LOSS_FLAGS } from './convert/losses.js';
export type { LossKind, LossCount } from './convert/losses.js';
/** An RDB read key by key (one key in memory at a time), and the record every conversion moves. */
export { streamRdbKeys } from './convert/rdb-keys.js';
export type { KeyRecord, DatasetHeader } from './convert/key-record.js';
/** Output under a temporary name, renamed into place once complete. */
export { PendingOutput } from './io/pending-output.js';

// ---------------------------------------------------------------- RDB writer

/** The RDB writer: whole datasets (`writeDatasetRdb`), key by key (`KeyRdbWriter`), or record by record (`RdbWriter`), for RDB 6–15 and Valkey's 80 and 81. */
export { writeDatasetRdb, KeyRdbWriter } from './rdb/write-dataset.js';
export type { WriteDatasetOptions, WriteDatasetResult, AuxField as RdbAuxField } from './rdb/write-dataset.js';
export { RdbWriter } from './rdb/encoder.js';
export type { RdbWriterOptions, RdbValue, KeyMeta, WrittenKey } from './rdb/encoder.js';
export { RDB_WRITE_VERSIONS, UnsupportedValueError } from './rdb/target.js';
export type { RdbWriteVersion } from './rdb/target.js';
/** The export schema read back (NDJSON or a JSON array), key by key or into a dataset. */
export { NdjsonReader, readNdjson, loadNdjson, NdjsonError, NdjsonLimitError } from './convert/ndjson-input.js';
export type { NdjsonReaderOptions, ReadNdjsonOptions, LoadNdjsonOptions, NdjsonSummary, OnKey } from './convert/ndjson-input.js';
/** Datasets as commands: Redis's AOF rewrite form, and RESP for redis-cli --pipe (with DEL or RESTORE). */
export { AofRewriteWriter, writeDatasetAof, aofStyle, AOF_REWRITE_ITEMS_PER_CMD } from './convert/aof-rewrite.js';
export type { AofRewriteOptions, AofRewriteResult, AofStyle } from './convert/aof-rewrite.js';
export { RespCommandsWriter, writeDatasetResp } from './convert/resp-commands.js';
export type { RespCommandsOptions } from './convert/resp-commands.js';
/** DUMP payloads (the RESTORE argument) for an RDB version. */
export { encodeDumpPayload, DumpPayloadEncoder } from './rdb/dump-payload.js';
export type { DumpPayloadOptions } from './rdb/dump-payload.js';

// ---------------------------------------------------------------- analyzers

/**
 * Memory as a server accounts it (Redis 6.0 to 8.0, Valkey 8.0 and 8.1, with jemalloc or glibc's
 * malloc: `parseMemoryTarget`): `analyzeMemory(input, opts)` for any input form, or
 * `MemoryAnalyzer` as a handler of the scan driver.
 */
export { analyzeMemory } from './analyze/memory/memory-input.js';
export type { MemoryOptions, MemoryResult } from './analyze/memory/memory-input.js';
export { MemoryAnalyzer } from './analyze/memory/memory-analyzer.js';
export { parseMemoryTarget, MODELLED_TARGETS, MODELLED_ALLOCATORS } from './analyze/memory/target.js';
export type { MemoryTarget, ModelledTarget, MemoryAllocator, MemoryServer } from './analyze/memory/target.js';
export type { MemoryReport, MemoryAnalyzerOptions, KeyMemoryRecord, DbMemory, TypeMemory, EncodingMemory, TopKeyMemory } from './analyze/memory/memory-analyzer.js';
/** Two inputs of any form compared key by key through digests: `diffInputs(a, b, opts)`. */
export { diffInputs } from './diff/diff.js';
export type { DiffOptions, DiffResult } from './diff/diff.js';
/** One self-contained HTML page about an input: `writeReport(input, output, opts)`. */
export { writeReport } from './report/write-report.js';
export type { WriteReportOptions, WriteReportResult } from './report/write-report.js';
