CREATE TABLE `email_verification_sends` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`user_id` integer NOT NULL,
	`address` text NOT NULL,
	`sent_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `email_verification_sends_user_idx` ON `email_verification_sends` (`user_id`,`sent_at`);--> statement-breakpoint
DROP INDEX `user_emails_address_unique`;--> statement-breakpoint
CREATE INDEX `user_emails_address_idx` ON `user_emails` (`address`);--> statement-breakpoint
CREATE UNIQUE INDEX `user_emails_user_address_unique` ON `user_emails` (`user_id`,`address`);--> statement-breakpoint
CREATE UNIQUE INDEX `user_emails_owned_address_unique` ON `user_emails` (`address`) WHERE verified_at is not null or is_primary = 1;