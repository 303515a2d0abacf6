CREATE TABLE `ended_sessions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`user_id` integer NOT NULL,
	`created_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	`ended_at` integer NOT NULL,
	`reason` text NOT NULL,
	`ip_address` text NOT NULL,
	`user_agent` text NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `ended_sessions_user_ended_idx` ON `ended_sessions` (`user_id`,`ended_at`);--> statement-breakpoint
CREATE INDEX `ended_sessions_ended_idx` ON `ended_sessions` (`ended_at`);