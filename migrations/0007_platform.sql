CREATE TABLE `notification_work` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`event_kind` text NOT NULL,
	`event_row_id` integer NOT NULL,
	`organization_id` integer NOT NULL,
	`project_id` integer,
	`created_at` integer NOT NULL,
	`state` text DEFAULT 'pending' NOT NULL,
	`claim_owner` text,
	`claim_expires_at` integer
);
--> statement-breakpoint
CREATE INDEX `notification_work_state_idx` ON `notification_work` (`state`,`id`);--> statement-breakpoint
CREATE INDEX `notification_work_event_idx` ON `notification_work` (`event_kind`,`event_row_id`);--> statement-breakpoint
CREATE TABLE `builds` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`organization_id` integer NOT NULL,
	`pipeline_id` integer NOT NULL,
	`external_id` text NOT NULL,
	`status` text NOT NULL,
	`trigger` text NOT NULL,
	`started_at` integer NOT NULL,
	`finished_at` integer,
	`commit_sha` text NOT NULL,
	`commit_message` text NOT NULL,
	`commit_author_name` text NOT NULL,
	`commit_author_email` text NOT NULL,
	`started_by` integer,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`organization_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`pipeline_id`) REFERENCES `pipelines`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`started_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `builds_pipeline_external_idx` ON `builds` (`pipeline_id`,`external_id`);--> statement-breakpoint
CREATE INDEX `builds_organization_started_idx` ON `builds` (`organization_id`,`started_at`,`id`);--> statement-breakpoint
CREATE INDEX `builds_pipeline_started_idx` ON `builds` (`pipeline_id`,`started_at`);--> statement-breakpoint
CREATE TABLE `deploy_commits` (
	`deploy_id` integer NOT NULL,
	`sha` text NOT NULL,
	`author_email` text NOT NULL,
	PRIMARY KEY(`deploy_id`, `sha`),
	FOREIGN KEY (`deploy_id`) REFERENCES `deploys`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `deploy_commits_author_idx` ON `deploy_commits` (`author_email`);--> statement-breakpoint
CREATE TABLE `deploys` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`organization_id` integer NOT NULL,
	`project_id` integer NOT NULL,
	`environment` text NOT NULL,
	`version` text NOT NULL,
	`finished_at` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`organization_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `deploys_organization_finished_idx` ON `deploys` (`organization_id`,`finished_at`,`id`);--> statement-breakpoint
CREATE TABLE `issue_activity` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`issue_id` integer NOT NULL,
	`kind` text NOT NULL,
	`actor_id` integer,
	`assignee_id` integer,
	`comment` text,
	`at` integer NOT NULL,
	FOREIGN KEY (`issue_id`) REFERENCES `issues`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`actor_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`assignee_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `issue_activity_issue_idx` ON `issue_activity` (`issue_id`,`at`,`id`);--> statement-breakpoint
CREATE TABLE `issue_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`issue_id` integer NOT NULL,
	`occurred_at` integer NOT NULL,
	`received_at` integer NOT NULL,
	`level` text NOT NULL,
	`message` text NOT NULL,
	`frames` text NOT NULL,
	FOREIGN KEY (`issue_id`) REFERENCES `issues`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `issue_events_issue_idx` ON `issue_events` (`issue_id`,`id`);--> statement-breakpoint
CREATE TABLE `issue_subscriptions` (
	`issue_id` integer NOT NULL,
	`user_id` integer NOT NULL,
	`subscribed` integer NOT NULL,
	`reason` text NOT NULL,
	`at` integer NOT NULL,
	PRIMARY KEY(`issue_id`, `user_id`),
	FOREIGN KEY (`issue_id`) REFERENCES `issues`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `issue_subscriptions_user_idx` ON `issue_subscriptions` (`user_id`);--> statement-breakpoint
CREATE TABLE `issues` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`organization_id` integer NOT NULL,
	`project_id` integer NOT NULL,
	`fingerprint` text NOT NULL,
	`title` text NOT NULL,
	`level` text NOT NULL,
	`status` text DEFAULT 'unresolved' NOT NULL,
	`assignee_id` integer,
	`first_seen` integer NOT NULL,
	`last_seen` integer NOT NULL,
	`event_count` integer DEFAULT 0 NOT NULL,
	FOREIGN KEY (`organization_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`assignee_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `issues_project_fingerprint_idx` ON `issues` (`project_id`,`fingerprint`);--> statement-breakpoint
CREATE INDEX `issues_organization_last_seen_idx` ON `issues` (`organization_id`,`last_seen`,`id`);--> statement-breakpoint
CREATE TABLE `organization_members` (
	`organization_id` integer NOT NULL,
	`user_id` integer NOT NULL,
	`role` text NOT NULL,
	`joined_at` integer NOT NULL,
	PRIMARY KEY(`organization_id`, `user_id`),
	FOREIGN KEY (`organization_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `organization_members_user_idx` ON `organization_members` (`user_id`);--> statement-breakpoint
CREATE TABLE `organizations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`slug` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `organizations_slug_unique` ON `organizations` (`slug`);--> statement-breakpoint
CREATE TABLE `pipelines` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`project_id` integer NOT NULL,
	`name` text NOT NULL,
	`notify_manual_executions` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `pipelines_project_name_idx` ON `pipelines` (`project_id`,`name`);--> statement-breakpoint
CREATE TABLE `projects` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`organization_id` integer NOT NULL,
	`name` text NOT NULL,
	`slug` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`organization_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `projects_organization_slug_idx` ON `projects` (`organization_id`,`slug`);--> statement-breakpoint
CREATE TABLE `received_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`kind` text NOT NULL,
	`organization_id` integer NOT NULL,
	`event_id` text NOT NULL,
	`idempotency_key` text,
	`request_digest` text NOT NULL,
	`status` integer NOT NULL,
	`body` text NOT NULL,
	`received_at` integer NOT NULL,
	FOREIGN KEY (`organization_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `received_events_event_idx` ON `received_events` (`kind`,`organization_id`,`event_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `received_events_idempotency_key_idx` ON `received_events` (`kind`,`organization_id`,`idempotency_key`) WHERE "received_events"."idempotency_key" is not null;--> statement-breakpoint
CREATE INDEX `received_events_received_idx` ON `received_events` (`received_at`);