import type { Io } from './command.ts';

/**
 * Progress on stderr, so that stdout stays the command's answer. Two kinds: a count of items (audit export: a line
 * every `every` items), and bytes moved (share release and fetch): a bar redrawn in place when stderr is a
 * terminal, otherwise one line at the start and one at the end so that logs stay clean.
 */

/** Reports every `every` items done, and the last, for a task of at least `every` items; silent otherwise. */
export const countProgress = (io: Io, what: string, total: number, every = 1000): (() => void) => {
  let done = 0;
  return () => {
    done += 1;
    if (total >= every && (done % every === 0 || done === total)) {
      io.stderr(`${what}: ${done}/${total} (${Math.floor((done * 100) / total)}%)\n`);
    }
  };
};

/** Transfers smaller than this show no progress at all. */
export const progressThresholdBytes = 1024 * 1024;

const barWidth = 30;
/** The least time between two redraws of the bar. */
const redrawMs = 100;

/** `5.0 MiB`, `812 KiB`, `96 B`. */
export const formatBytes = (bytes: number): string => {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KiB`;
  if (bytes < 1024 * 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  return `${(bytes / (1024 * 1024 * 1024)).toFixed(2)} GiB`;
};

const percentOf = (done: number, total: number) =>
  total === 0 ? 100 : Math.min(100, Math.floor((done * 100) / total));

export type ByteProgress = {
  /** `bytes` more were moved. */
  readonly advance: (bytes: number) => void;
  /** The transfer finished: the bar is completed, or the end line written. */
  readonly done: () => void;
  /** The transfer stopped early: the bar's line is ended so the error starts on a line of its own. */
  readonly abort: () => void;
};

const silent: ByteProgress = { advance: () => undefined, done: () => undefined, abort: () => undefined };

/**
 * Progress of moving `total` bytes, labelled e.g. `uploading report.pdf`; silent below `threshold` bytes.
 * `now` is for tests.
 */
export const byteProgress = (
  io: Io,
  label: string,
  total: number,
  options: { threshold?: number; now?: () => number } = {},
): ByteProgress => {
  const { threshold = progressThresholdBytes, now = Date.now } = options;
  if (total < threshold) return silent;
  const started = now();
  let moved = 0;
  let finished = false;
  const seconds = () => ((now() - started) / 1000).toFixed(1);

  if (io.stderrIsTty !== true) {
    io.stderr(`${label}: ${formatBytes(total)}\n`);
    return {
      advance: (bytes) => {
        moved += bytes;
      },
      done: () => {
        if (finished) return;
        finished = true;
        io.stderr(`${label}: ${formatBytes(moved)} of ${formatBytes(total)}, done in ${seconds()} s\n`);
      },
      abort: () => {
        if (finished) return;
        finished = true;
        io.stderr(`${label}: stopped after ${formatBytes(moved)} of ${formatBytes(total)}\n`);
      },
    };
  }

  let drawnAt = 0;
  const draw = () => {
    const percent = percentOf(moved, total);
    const filled = Math.round((percent * barWidth) / 100);
    io.stderr(
      `\r${label} [${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}] ${formatBytes(moved)} / ${formatBytes(total)} ${String(percent).padStart(3)}%`,
    );
    drawnAt = now();
  };
  draw();
  return {
    advance: (bytes) => {
      moved += bytes;
      if (!finished && now() - drawnAt >= redrawMs) draw();
    },
    done: () => {
      if (finished) return;
      finished = true;
      draw();
      io.stderr(` ${seconds()} s\n`);
    },
    abort: () => {
      if (finished) return;
      finished = true;
      io.stderr('\n');
    },
  };
};
