CREATE TABLE `admin_setup_links` (
	`id` text PRIMARY KEY NOT NULL,
	`nonce` text NOT NULL,
	`email` text,
	`created_at` integer NOT NULL,
	`used_at` integer,
	`used_by` integer,
	FOREIGN KEY (`used_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
