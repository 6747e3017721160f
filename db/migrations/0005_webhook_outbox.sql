CREATE TABLE "webhook_secrets" (
	"id" text PRIMARY KEY NOT NULL,
	"unit_id" text NOT NULL,
	"sealed" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" text NOT NULL,
	"valid_until" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "notifications" ALTER COLUMN "unit_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "notifications" ADD COLUMN "target_kind" text DEFAULT 'unit' NOT NULL;--> statement-breakpoint
-- existing rows were all to units: their unit is their target
ALTER TABLE "notifications" ADD COLUMN "target_id" text;--> statement-breakpoint
UPDATE "notifications" SET "target_id" = "unit_id";--> statement-breakpoint
ALTER TABLE "notifications" ALTER COLUMN "target_id" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "notifications" ADD COLUMN "last_attempt_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "notifications" ADD COLUMN "failed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "notifications" ADD COLUMN "redeliveries" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX "webhook_secrets_unit_idx" ON "webhook_secrets" USING btree ("unit_id","created_at");--> statement-breakpoint
CREATE INDEX "notifications_ticket_idx" ON "notifications" USING btree ("ticket_id");