CREATE TABLE `job_runs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`job` text NOT NULL,
	`owner` text NOT NULL,
	`trigger` text NOT NULL,
	`started_at` integer NOT NULL,
	`finished_at` integer,
	`sent` integer DEFAULT 0 NOT NULL,
	`skipped` integer DEFAULT 0 NOT NULL,
	`failures` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE INDEX `job_runs_job_idx` ON `job_runs` (`job`,`started_at`);--> statement-breakpoint
CREATE TABLE `weekly_reports` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`user_id` integer NOT NULL,
	`organization_id` integer NOT NULL,
	`week` text NOT NULL,
	`due_until` integer NOT NULL,
	`state` text DEFAULT 'pending' NOT NULL,
	`skipped` text,
	`claim_owner` text,
	`claim_expires_at` integer,
	`created_at` integer NOT NULL,
	`finished_at` integer,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `weekly_reports_once` ON `weekly_reports` (`user_id`,`organization_id`,`week`);--> statement-breakpoint
CREATE INDEX `weekly_reports_state_idx` ON `weekly_reports` (`state`,`due_until`);--> statement-breakpoint
CREATE TABLE `weekly_report_times` (
	`user_id` integer PRIMARY KEY NOT NULL,
	`weekday` integer NOT NULL,
	`hour` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
