import { z } from "zod";

const words = z.array(z.string().min(1)).min(1);
const range = z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]).refine(([min, max]) => min <= max, "expected [min, max] with min <= max");

/** How a source writes. */
export const PostStyle = z.enum(["social", "news", "hotline"]);
export type PostStyle = z.infer<typeof PostStyle>;

/** The demo ticker's catalogue (config/demo/ticker.yaml). */
export const TickerCatalog = z
  .object({
    regions: z.array(z.object({ name: z.string().min(1), short: z.string().min(1) }).strict()).min(1),
    sources: z
      .array(
        z
          .object({
            name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, "expected a lowercase source id"),
            /** social: first-hand posts without titles; news: reports with titles; hotline: 12345 work-order summaries. */
            style: PostStyle,
            weight: z.number().positive().default(1),
            authors: words,
          })
          .strict(),
      )
      .min(1),
    chatter: words,
    stories: z
      .array(
        z
          .object({
            id: z.string().min(1),
            topic: z.string().min(1),
            slots: z.record(z.string(), words).default({}),
            numbers: z.record(z.string(), range).default({}),
            chatter: words.optional(),
            titles: words,
            posts: z.partialRecord(PostStyle, words).refine((posts) => Object.keys(posts).length > 0, "expected posts for at least one style"),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();
export type TickerCatalog = z.output<typeof TickerCatalog>;
export type TickerStory = TickerCatalog["stories"][number];
