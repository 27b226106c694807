import { readFileSync, writeFileSync } from 'node:fs';
import type { CreateScheduleCommand, DeleteScheduleCommand } from '@aws-sdk/client-scheduler';

/** setTimeout holds at most 2^31-1 ms (24.8 days); a schedule 35 days ahead waits in steps. */
const MAX_TIMER_MS = 2 ** 30;
/** EventBridge Scheduler retries a failed target; here a few times, quickly. */
const RETRY_DELAYS_MS = [200, 1000, 5000];

export interface LocalSchedule {
  name: string;
  groupName: string;
  at: Date;
  targetArn: string;
  roleArn: string;
  input: unknown;
}

type Target = (input: unknown, schedule: LocalSchedule) => Promise<unknown>;

/**
 * EventBridge Scheduler in process, for the local stack and the tests: it answers the CreateSchedule and
 * DeleteSchedule commands the product's scheduler sends (as the SDK client would, ConflictException and
 * ResourceNotFoundException included), and fires each one-time schedule at its `at(...)` time by invoking the
 * target, then deletes it (ActionAfterCompletion DELETE). `autoFire: false` leaves firing to the caller (`fireDue`).
 */
export class LocalScheduler {
  readonly schedules = new Map<string, LocalSchedule>();
  /** Each fire: the schedule, when it ran, and what the target answered (or its error). */
  readonly fired: { schedule: LocalSchedule; at: Date; outcome: unknown }[] = [];
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private target: Target,
    private readonly options: { autoFire?: boolean; now?: () => Date; /** A persistent stack (`--data`): schedules outlive a restart. */ file?: string } = {},
  ) {
    if (!options.file) return;
    let saved: LocalSchedule[] = [];
    try {
      saved = (JSON.parse(readFileSync(options.file, 'utf8')) as LocalSchedule[]).map((s) => ({ ...s, at: new Date(s.at) }));
    } catch {
      // No file yet: nothing scheduled.
    }
    for (const schedule of saved) {
      this.schedules.set(`${schedule.groupName}/${schedule.name}`, schedule);
      if (options.autoFire ?? true) this.arm(`${schedule.groupName}/${schedule.name}`);
    }
  }

  private save(): void {
    if (this.options.file) writeFileSync(this.options.file, JSON.stringify([...this.schedules.values()]));
  }

  /** The function schedules invoke (set once the handler that is the target exists). */
  setTarget(target: Target): void {
    this.target = target;
  }

  /** The SDK client's entry point: CreateSchedule and DeleteSchedule, as EventBridge Scheduler answers them. */
  async send(command: CreateScheduleCommand | DeleteScheduleCommand): Promise<Record<string, unknown>> {
    const input = command.input as unknown as Record<string, unknown>;
    if (command.constructor.name === 'DeleteScheduleCommand') return this.deleteSchedule(input);
    if (command.constructor.name === 'CreateScheduleCommand') return this.createSchedule(input);
    throw awsError('ValidationException', `${command.constructor.name} is not emulated`);
  }

  createSchedule(input: Record<string, unknown>): Record<string, unknown> {
    const name = String(input.Name);
    const groupName = String(input.GroupName ?? 'default');
    const id = `${groupName}/${name}`;
    if (this.schedules.has(id)) throw awsError('ConflictException', `Schedule ${name} already exists.`);
    const expression = /^at\((\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\)$/.exec(String(input.ScheduleExpression));
    if (!expression || input.ScheduleExpressionTimezone !== 'UTC') throw awsError('ValidationException', 'only at(yyyy-mm-ddThh:mm:ss) in UTC is emulated');
    if ((input.FlexibleTimeWindow as { Mode?: string } | undefined)?.Mode !== 'OFF') throw awsError('ValidationException', 'FlexibleTimeWindow.Mode OFF is expected');
    const target = input.Target as { Arn: string; Input?: string; RoleArn: string } | undefined;
    if (!target?.Arn || !target.RoleArn) throw awsError('ValidationException', 'Target.Arn and Target.RoleArn are required');
    const schedule: LocalSchedule = { name, groupName, at: new Date(`${expression[1]}Z`), targetArn: target.Arn, roleArn: target.RoleArn, input: JSON.parse(target.Input ?? '{}') as unknown };
    this.schedules.set(id, schedule);
    this.save();
    if (this.options.autoFire ?? true) this.arm(id);
    return { ScheduleArn: `arn:aws:scheduler:local:000000000000:schedule/${id}` };
  }

  deleteSchedule(input: Record<string, unknown>): Record<string, unknown> {
    const id = `${String(input.GroupName ?? 'default')}/${String(input.Name)}`;
    if (!this.schedules.delete(id)) throw awsError('ResourceNotFoundException', `Schedule ${String(input.Name)} does not exist.`);
    clearTimeout(this.timers.get(id));
    this.timers.delete(id);
    this.save();
    return {};
  }

  /** Fires every schedule due by `now` (tests with their own clock); answers how many ran. */
  async fireDue(now: Date = this.now()): Promise<number> {
    const due = [...this.schedules.entries()].filter(([, s]) => s.at.getTime() <= now.getTime()).sort(([, a], [, b]) => a.at.getTime() - b.at.getTime());
    for (const [id] of due) await this.fire(id);
    return due.length;
  }

  /** Fires one schedule now, as if its time had come (e.g. a second delivery of the same fire). */
  async fireAgain(name: string): Promise<unknown> {
    const schedule = [...this.fired].reverse().find((f) => f.schedule.name === name)?.schedule ?? [...this.schedules.values()].find((s) => s.name === name);
    if (!schedule) throw new Error(`no schedule ${name}`);
    return this.target(schedule.input, schedule);
  }

  /** Resolves once every fire under way has ended. */
  async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  stop(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  private arm(id: string): void {
    const schedule = this.schedules.get(id);
    if (!schedule) return;
    const wait = Math.max(0, schedule.at.getTime() - Date.now());
    const timer = setTimeout(() => (wait > MAX_TIMER_MS ? this.arm(id) : void this.fire(id)), Math.min(wait, MAX_TIMER_MS));
    timer.unref();
    this.timers.set(id, timer);
  }

  private async fire(id: string): Promise<void> {
    const schedule = this.schedules.get(id);
    if (!schedule) return;
    const run = (async () => {
      let outcome: unknown;
      for (let attempt = 0; attempt <= RETRY_DELAYS_MS.length; attempt++) {
        try {
          outcome = await this.target(schedule.input, schedule);
          break;
        } catch (error) {
          outcome = { error: (error as Error).message };
          if (attempt < RETRY_DELAYS_MS.length) await new Promise((r) => setTimeout(r, RETRY_DELAYS_MS[attempt]));
        }
      }
      this.fired.push({ schedule, at: this.now(), outcome });
      // ActionAfterCompletion DELETE: the schedule is gone once it ran (a newer one of the same name stays).
      if (this.schedules.get(id) === schedule) this.schedules.delete(id);
      this.timers.delete(id);
      this.save();
    })();
    this.inFlight.add(run);
    await run.finally(() => this.inFlight.delete(run));
  }
}

export function awsError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}
