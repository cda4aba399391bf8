import * as z from 'zod';
import { alertSchema, alertStatuses } from '../../domain/alerts/alert.ts';

/** The schemas of the alert operations (docs/IG.md "Anomaly alerts"). */

export const listAlertsQuery = z.object({ status: z.enum(alertStatuses).optional() });

/** An alert as answered: it holds no free text (each note only as its SHA-256), so it is shown whole. */
export const alertView = alertSchema;

export const alertsAnswer = z.object({ alerts: z.array(alertView) });
export const alertAnswer = z.object({ alert: alertView });

/** The note an IG lead gives when acknowledging or closing: kept by them, the log holds its SHA-256 only. */
export const alertNoteBody = z.object({ note: z.string().trim().min(1).max(2000) });
