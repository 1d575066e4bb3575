/**
 * Writes commands to a real server in pipelined batches, with up to two batches in flight so
 * the client encodes the next batch while the server executes the current one.
 */
import type { RespClient } from './resp-client.js';

/** One command: its arguments. */
export type Command = (string | Uint8Array)[];

/** When a batch is sent: whichever bound is reached first. */
export interface PipelineLimits {
  /** Commands per batch (default 1000). */
  maxCommands?: number;
  /** Arguments per batch (default: no bound). */
  maxArgs?: number;
  /** Argument bytes per batch (default: no bound). */
  maxBytes?: number;
}

/** A pipelined writer over one client connection. */
export class Pipeline {
  private batch: Command[] = [];
  private batchArgs = 0;
  private batchBytes = 0;
  private inFlight: Promise<unknown>[] = [];
  private readonly maxCommands: number;
  private readonly maxArgs: number;
  private readonly maxBytes: number;

  constructor(
    private readonly client: RespClient,
    limits: PipelineLimits = {},
  ) {
    this.maxCommands = limits.maxCommands ?? 1000;
    this.maxArgs = limits.maxArgs ?? Infinity;
    this.maxBytes = limits.maxBytes ?? Infinity;
  }

  /** Queues commands; returns true when a batch was sent. */
  async send(...cmds: Command[]): Promise<boolean> {
    for (const cmd of cmds) {
      this.batch.push(cmd);
      this.batchArgs += cmd.length;
      if (this.maxBytes !== Infinity) for (const a of cmd) this.batchBytes += a.length;
    }
    if (this.batch.length < this.maxCommands && this.batchArgs < this.maxArgs && this.batchBytes < this.maxBytes) return false;
    await this.flushBatch();
    return true;
  }

  /** Sends what is queued and waits for every reply. @throws the first error reply. */
  async drain(): Promise<void> {
    await this.flushBatch();
    const pending = this.inFlight;
    this.inFlight = [];
    await Promise.all(pending);
  }

  private async flushBatch(): Promise<void> {
    if (this.batch.length === 0) return;
    const p = this.client.callAll(this.batch);
    this.batch = [];
    this.batchArgs = 0;
    this.batchBytes = 0;
    this.inFlight.push(p);
    if (this.inFlight.length >= 2) await this.inFlight.shift();
  }
}
