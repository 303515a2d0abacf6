DROP INDEX `notification_work_event_idx`;--> statement-breakpoint
DROP INDEX `builds_pipeline_started_idx`;--> statement-breakpoint
DROP INDEX `received_events_received_idx`;