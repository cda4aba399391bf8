import type {
  Aggregate,
  AggregateKind,
  ChildEntryItem,
  IgCursor,
  MonthState,
  OpenRequest,
  RequestState,
} from '../domain/ig/projection-items.ts';

/**
 * Which of a responder's open requests to read: those of one requester, footprint or months of submission, due at
 * or after `dueFrom` and before `dueBefore` (ISO 8601 times), at most `limit` of them.
 */
export type OpenQuery = {
  readonly requester?: string | undefined;
  readonly footprint?: string | undefined;
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly dueFrom?: string | undefined;
  readonly dueBefore?: string | undefined;
  readonly limit?: number | undefined;
};

/** What the IG questions read of the projection (shared/domain/ig/). */
export type IgReader = {
  readCursor(): Promise<IgCursor | undefined>;
  /** Every aggregate row of one kind in each of the months, in key order: its sheet's counts plus its rows'. */
  readAggregates(kind: AggregateKind, months: readonly string[]): Promise<Aggregate[]>;
  /** Every organisation that has ever been asked (the responders the open requests are kept under). */
  readResponders(): Promise<string[]>;
  /** The requests one responder still owes that match the query, earliest due first. */
  readOpen(responder: string, query: OpenQuery): Promise<OpenRequest[]>;
  /** The entries indexed under one subject reference, oldest first, at most `limit`. */
  readChildEntries(subjectRef: string, limit: number): Promise<ChildEntryItem[]>;
};

/** One batch of the projection: every item it changes, committed with the cursor's move or not at all. */
export type IgBatch = {
  /** The cursor the batch was folded from; the commit fails if another run has moved it. */
  readonly expectedNext: number;
  readonly cursor: IgCursor;
  /** Aggregate rows to write, each under its month's sheet generation in `cursor.months`. */
  readonly aggregates: readonly Aggregate[];
  /** Months folded into a new sheet: every row of the month, under the generation `cursor.months` gives it. */
  readonly sheets: readonly { readonly month: string; readonly rows: readonly Aggregate[] }[];
  readonly requests: readonly RequestState[];
  readonly openPuts: readonly OpenRequest[];
  readonly openDeletes: readonly OpenRequest[];
  /** The whole list of responders, when the batch added one. */
  readonly responders?: readonly string[];
};

/** The projector's store: the reads the fold needs, and the batch written conditionally on the cursor. */
export type IgProjectionStore = IgReader & {
  /** How many items one batch may write (one DynamoDB transaction holds them and the cursor). */
  readonly maxItemsPerBatch: number;
  readRequestStates(ids: readonly string[]): Promise<RequestState[]>;
  /** The stored rows of these keys written since their month's sheet (`months`: each month's state). */
  readAggregateRows(
    keys: readonly Pick<Aggregate, 'kind' | 'month' | 'fields'>[],
    months: Readonly<Record<string, MonthState>>,
  ): Promise<Aggregate[]>;
  /** Every row of every kind of one month as it stands: its sheet's counts plus its rows'. */
  readMonth(month: string, state: MonthState): Promise<Aggregate[]>;
  /**
   * Deletes a month's sheet and rows of a generation no longer current. Best effort after a commit: a question
   * that read the cursor before the commit still reads the generation before it, never this older one.
   */
  dropGeneration(month: string, generation: number): Promise<void>;
  /**
   * Writes index entries of a child. Each is a pure function of its leaf (keyed by subject reference and leaf
   * index), so writing one again, after a crash or by a concurrent run, writes the same item: they need no place
   * in the batch's transaction.
   */
  putChildEntries(entries: readonly ChildEntryItem[]): Promise<void>;
  /** Commits the batch if the cursor is still at `expectedNext` (absent counts as 0); false otherwise. */
  commitBatch(batch: IgBatch): Promise<boolean>;
  /** Records that a run found nothing new, if the cursor is still at `next`. */
  touchCursor(cursor: IgCursor): Promise<boolean>;
};
