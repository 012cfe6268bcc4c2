package com.yumzoom.ops.marketplace;

import java.io.IOException;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalTime;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Realistic marketplace data, reproducible from a seed: the same seed and volumes give the same
 * rows. Loaded with COPY (the PostgreSQL bulk path), table by table in one transaction, then the
 * sequences and the maintained ratings are brought in step.
 *
 * <p>Shapes follow what a delivery marketplace sees: restaurants cluster around city centres,
 * popularity is skewed (a few restaurants take most orders), most orders are delivered, some are
 * cancelled, a minority are reviewed with ratings skewed towards 4 and 5.
 */
public final class SeedGenerator {

  private static final Logger LOG = LoggerFactory.getLogger(SeedGenerator.class);

  /** How much to generate. */
  public record Volumes(int restaurants, int users, int orders, int reviewsPercent) {
    public Volumes {
      if (restaurants < 1 || restaurants > 1_000_000) {
        throw new IllegalArgumentException("seed.restaurants: must be 1..1000000 (limit 1000000)");
      }
      if (users < 1 || users > 10_000_000) {
        throw new IllegalArgumentException("seed.users: must be 1..10000000 (limit 10000000)");
      }
      if (orders < 0 || orders > 50_000_000) {
        throw new IllegalArgumentException("seed.orders: must be 0..50000000 (limit 50000000)");
      }
      if (reviewsPercent < 0 || reviewsPercent > 100) {
        throw new IllegalArgumentException("seed.reviews-percent: must be 0..100 (limit 100)");
      }
    }

    public static Volumes defaults() {
      return new Volumes(3_000, 20_000, 120_000, 25);
    }

    public static Volumes small() {
      return new Volumes(60, 200, 1_500, 30);
    }
  }

  record City(String name, double lat, double lon) {}

  static final List<City> CITIES =
      List.of(
          new City("Paris", 48.8566, 2.3522),
          new City("London", 51.5072, -0.1276),
          new City("Berlin", 52.52, 13.405),
          new City("Madrid", 40.4168, -3.7038),
          new City("Rome", 41.9028, 12.4964),
          new City("Amsterdam", 52.3676, 4.9041),
          new City("New York", 40.7128, -74.006),
          new City("Chicago", 41.8781, -87.6298),
          new City("Tokyo", 35.6762, 139.6503),
          new City("Sydney", -33.8688, 151.2093));

  static final List<String> CUISINES =
      List.of(
          "italian",
          "pizza",
          "japanese",
          "sushi",
          "chinese",
          "thai",
          "indian",
          "mexican",
          "french",
          "burgers",
          "vegan",
          "greek",
          "korean",
          "vietnamese",
          "lebanese",
          "spanish",
          "turkish",
          "ethiopian",
          "peruvian",
          "bakery");

  private static final String[] ADJECTIVES = {
    "Golden", "Little", "Red", "Blue", "Happy", "Hidden", "Old", "Royal", "Green", "Lucky", "Urban",
    "Rustic", "Silver", "Spicy", "Sunny", "Wild", "Cozy", "Grand", "Tiny", "Smoky"
  };
  private static final String[] NOUNS = {
    "Lantern", "Table", "Spoon", "Garden", "Kitchen", "Corner", "Oven", "Harbor", "Bistro", "House",
    "Fork", "Pot", "Grill", "Market", "Courtyard", "Lotus", "Olive", "Pepper", "Basil", "Dragon"
  };
  private static final String[] DISHES = {
    "Margherita",
    "Carbonara",
    "Ramen",
    "Salmon Nigiri",
    "Kung Pao Chicken",
    "Pad Thai",
    "Butter" + " Chicken",
    "Tacos al Pastor",
    "Coq au Vin",
    "Cheeseburger",
    "Falafel Bowl",
    "Moussaka",
    "Bibimbap",
    "Pho",
    "Shawarma",
    "Paella",
    "Kebab",
    "Injera Platter",
    "Ceviche",
    "Croissant",
    "Lasagna",
    "Gyoza",
    "Dumplings",
    "Green Curry",
    "Biryani",
    "Burrito",
    "Ratatouille",
    "Fries",
    "Tiramisu",
    "Miso Soup",
    "Spring Rolls",
    "Naan",
    "Churros",
    "Baklava",
    "Hummus",
    "Tempura"
  };
  private static final String[] CATEGORIES = {"starters", "mains", "sides", "desserts", "drinks"};
  private static final String[] FIRST = {
    "Alice", "Bruno", "Chloe", "David", "Emma", "Farid", "Grace", "Hugo", "Ines", "Jonas", "Keiko",
    "Liam", "Maya", "Noah", "Olga", "Pablo", "Quinn", "Rosa", "Sami", "Tara"
  };
  private static final String[] LAST = {
    "Martin", "Smith", "Müller", "Garcia", "Rossi", "de Vries", "Johnson", "Tanaka", "Brown",
        "Dubois",
    "Kowalski", "Silva", "Nguyen", "Khan", "Cohen", "Larsen", "Popov", "Ozturk", "Kim", "Lopez"
  };
  private static final String[] COMMENTS = {
    "Great food, fast delivery.",
    "Arrived cold, but tasty.",
    "Best in town!",
    "Portions too small.",
    "Will order again.",
    "Delivery took forever.",
    "Exactly as described.",
    "Lovely spices.",
    ""
  };

  private final Volumes volumes;
  private final long seed;
  private final Clock clock;

  public SeedGenerator(Volumes volumes, long seed, Clock clock) {
    this.volumes = volumes;
    this.seed = seed;
    this.clock = clock;
  }

  /** Seeds an empty database; leaves one that has restaurants alone. Returns whether it seeded. */
  public boolean seedIfEmpty(DataSource dataSource) {
    try (Connection c = dataSource.getConnection();
        Statement st = c.createStatement();
        var rs = st.executeQuery("SELECT EXISTS (SELECT 1 FROM restaurants)")) {
      rs.next();
      if (rs.getBoolean(1)) {
        LOG.info("database already has data; not seeding");
        return false;
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot inspect database", e);
    }
    seed(dataSource);
    return true;
  }

  /** Generates and loads every table. */
  public void seed(DataSource dataSource) {
    long start = System.nanoTime();
    Random random = new Random(seed);
    Instant now = clock.instant();
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      skipForeignKeyTriggers(c); // SET LOCAL: ends with this transaction
      CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
      int[] restaurantCity = new int[volumes.restaurants() + 1];
      int[][] menuOf = new int[volumes.restaurants() + 1][];
      int[] prices;

      StringBuilder sb = new StringBuilder(volumes.restaurants() * 200);
      for (int id = 1; id <= volumes.restaurants(); id++) {
        int cityIndex = skewed(random, CITIES.size());
        City city = CITIES.get(cityIndex);
        restaurantCity[id] = cityIndex;
        String cuisine = CUISINES.get(random.nextInt(CUISINES.size()));
        String name =
            ADJECTIVES[random.nextInt(ADJECTIVES.length)]
                + " "
                + NOUNS[random.nextInt(NOUNS.length)]
                + (random.nextBoolean() ? "" : " " + capitalize(cuisine));
        String description =
            capitalize(cuisine)
                + " kitchen in "
                + city.name()
                + " known for its "
                + DISHES[random.nextInt(DISHES.length)].toLowerCase(Locale.ROOT)
                + " and "
                + DISHES[random.nextInt(DISHES.length)].toLowerCase(Locale.ROOT);
        double lat = city.lat() + random.nextGaussian() * 0.04;
        double lon = city.lon() + random.nextGaussian() * 0.06;
        int price = 1 + Math.min(3, (int) Math.abs(random.nextGaussian() * 1.2));
        LocalTime opens;
        LocalTime closes;
        if (random.nextInt(10) == 0) {
          opens = LocalTime.of(18, 0); // late-night places, open past midnight
          closes = LocalTime.of(2 + random.nextInt(3), 0);
        } else {
          opens = LocalTime.of(7 + random.nextInt(5), random.nextBoolean() ? 0 : 30);
          closes = LocalTime.of(21 + random.nextInt(3), random.nextBoolean() ? 0 : 30);
        }
        csv(
            sb,
            id,
            name,
            cuisine,
            description,
            city.name(),
            lat,
            lon,
            price,
            opens,
            closes,
            now.minusSeconds(86_400L * (200 + random.nextInt(800))));
      }
      copy.copyIn(
          "COPY restaurants (id, name, cuisine, description, city, lat, lon, price_level, opens_at,"
              + " closes_at, created_at) FROM STDIN (FORMAT csv)",
          new StringReader(sb.toString()));

      sb.setLength(0);
      int menuItemId = 0;
      int totalItems = volumes.restaurants() * 14;
      prices = new int[totalItems + volumes.restaurants() * 8 + 1];
      for (int r = 1; r <= volumes.restaurants(); r++) {
        int count = 8 + random.nextInt(13);
        menuOf[r] = new int[count];
        for (int i = 0; i < count; i++) {
          menuItemId++;
          if (menuItemId >= prices.length) {
            prices = java.util.Arrays.copyOf(prices, prices.length * 2);
          }
          menuOf[r][i] = menuItemId;
          String category =
              CATEGORIES[Math.min(CATEGORIES.length - 1, i * CATEGORIES.length / count)];
          int price = 300 + random.nextInt(category.equals("mains") ? 2400 : 900);
          prices[menuItemId] = price;
          csv(
              sb,
              menuItemId,
              r,
              DISHES[random.nextInt(DISHES.length)],
              "House " + category + " favourite",
              category,
              price,
              random.nextInt(25) != 0);
        }
      }
      copy.copyIn(
          "COPY menu_items (id, restaurant_id, name, description, category, price_cents, available)"
              + " FROM STDIN (FORMAT csv)",
          new StringReader(sb.toString()));

      sb.setLength(0);
      int[] userCity = new int[volumes.users() + 1];
      for (int u = 1; u <= volumes.users(); u++) {
        String first = FIRST[random.nextInt(FIRST.length)];
        String last = LAST[random.nextInt(LAST.length)];
        int cityIndex = skewed(random, CITIES.size());
        userCity[u] = cityIndex;
        csv(
            sb,
            u,
            (first + "." + last).toLowerCase(Locale.ROOT).replace(' ', '-')
                + "."
                + u
                + "@example.com",
            first + " " + last,
            CITIES.get(cityIndex).name(),
            now.minusSeconds(86_400L * random.nextInt(700)));
      }
      copy.copyIn(
          "COPY users (id, email, name, city, created_at) FROM STDIN (FORMAT csv)",
          new StringReader(sb.toString()));

      // Restaurants by city, so a user orders from their own city.
      int[][] byCity = new int[CITIES.size()][];
      int[] counts = new int[CITIES.size()];
      for (int r = 1; r <= volumes.restaurants(); r++) {
        counts[restaurantCity[r]]++;
      }
      for (int i = 0; i < CITIES.size(); i++) {
        byCity[i] = new int[counts[i]];
        counts[i] = 0;
      }
      for (int r = 1; r <= volumes.restaurants(); r++) {
        byCity[restaurantCity[r]][counts[restaurantCity[r]]++] = r;
      }

      StringBuilder items = new StringBuilder(volumes.orders() * 40);
      StringBuilder reviews =
          new StringBuilder(volumes.orders() * volumes.reviewsPercent() / 100 * 60 + 16);
      sb.setLength(0);
      sb.ensureCapacity(volumes.orders() * 90);
      int reviewId = 0;
      for (int o = 1; o <= volumes.orders(); o++) {
        int user = 1 + random.nextInt(volumes.users());
        int[] local = byCity[userCity[user]];
        int restaurant =
            local.length == 0
                ? 1 + random.nextInt(volumes.restaurants())
                : local[skewed(random, local.length)];
        int[] menu = menuOf[restaurant];
        int lines = 1 + random.nextInt(Math.min(4, menu.length));
        int offset = random.nextInt(menu.length);
        long total = 0;
        for (int l = 0; l < lines; l++) {
          int item = menu[(offset + l) % menu.length];
          int quantity = 1 + (random.nextInt(5) == 0 ? 1 : 0);
          total += (long) quantity * prices[item];
          csv(items, o, item, quantity, prices[item]);
        }
        int roll = random.nextInt(100);
        String status =
            roll < 86
                ? "delivered"
                : roll < 93
                    ? "cancelled"
                    : roll < 96 ? "preparing" : roll < 98 ? "accepted" : "placed";
        Instant created = now.minusSeconds(random.nextInt(90 * 86_400));
        csv(sb, o, user, restaurant, status, total, created, created.plusSeconds(1_800));
        if (status.equals("delivered") && random.nextInt(100) < volumes.reviewsPercent()) {
          reviewId++;
          int rating = ratingFor(random, restaurant);
          csv(
              reviews,
              reviewId,
              restaurant,
              user,
              o,
              rating,
              COMMENTS[random.nextInt(COMMENTS.length)],
              created.plusSeconds(3_600 + random.nextInt(86_400)));
        }
      }
      copy.copyIn(
          "COPY orders (id, user_id, restaurant_id, status, total_cents, created_at, updated_at)"
              + " FROM STDIN (FORMAT csv)",
          new StringReader(sb.toString()));
      copy.copyIn(
          "COPY order_items (order_id, menu_item_id, quantity, unit_price_cents) FROM STDIN (FORMAT"
              + " csv)",
          new StringReader(items.toString()));
      copy.copyIn(
          "COPY reviews (id, restaurant_id, user_id, order_id, rating, comment, created_at) FROM"
              + " STDIN (FORMAT csv)",
          new StringReader(reviews.toString()));
      try (Statement st = c.createStatement()) {
        st.execute(
            "UPDATE restaurants r SET rating_sum = s.total, rating_count = s.n FROM (SELECT"
                + " restaurant_id, sum(rating) AS total, count(*) AS n FROM reviews GROUP BY"
                + " restaurant_id) s WHERE r.id = s.restaurant_id");
        for (String table : List.of("restaurants", "menu_items", "users", "orders", "reviews")) {
          st.execute(
              "SELECT setval(pg_get_serial_sequence('"
                  + table
                  + "', 'id'), (SELECT coalesce(max(id), 0) + 1 FROM "
                  + table
                  + "), false)");
        }
      }
      c.commit();
      try (Statement st = c.createStatement()) {
        c.setAutoCommit(true);
        st.execute("ANALYZE");
      }
      LOG.info(
          "seeded {} restaurants, {} menu items, {} users, {} orders, {} reviews in {} ms (seed {})",
          volumes.restaurants(),
          menuItemId,
          volumes.users(),
          volumes.orders(),
          reviewId,
          (System.nanoTime() - start) / 1_000_000,
          seed);
    } catch (SQLException | IOException e) {
      throw new IllegalStateException("seeding failed", e);
    }
  }

  /**
   * Foreign keys are checked by a trigger per row, which dominates a bulk load; the generator
   * writes consistent keys by construction, so where allowed (a superuser, as with the embedded
   * database) the checks are skipped for this transaction, as pg_dump's --disable-triggers does.
   */
  private static boolean skipForeignKeyTriggers(Connection c) {
    try (Statement st = c.createStatement()) {
      st.execute("SAVEPOINT replication_role");
      st.execute("SET LOCAL session_replication_role = replica");
      return true;
    } catch (SQLException e) {
      try (Statement st = c.createStatement()) {
        st.execute("ROLLBACK TO SAVEPOINT replication_role");
      } catch (SQLException ignored) {
        // the savepoint itself failed: nothing to undo
      }
      LOG.info("loading with foreign key checks (not a superuser): {}", e.getMessage());
      return false;
    }
  }

  /** Restaurants have a character: each one's ratings centre on its own quality. */
  private int ratingFor(Random random, int restaurant) {
    double quality = 3.2 + ((restaurant * 2_654_435_761L) % 1_000) / 1_000.0 * 1.6;
    long r = Math.round(quality + random.nextGaussian() * 0.8);
    return (int) Math.max(1, Math.min(5, r));
  }

  /** An index in [0, n) skewed towards small values (popular first, a long tail). */
  private static int skewed(Random random, int n) {
    double u = random.nextDouble();
    return Math.min(n - 1, (int) (n * u * u));
  }

  private static String capitalize(String s) {
    return Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }

  private static void csv(StringBuilder sb, Object... values) {
    for (int i = 0; i < values.length; i++) {
      if (i > 0) {
        sb.append(',');
      }
      Object v = values[i];
      if (v instanceof String s) {
        sb.append('"').append(s.replace("\"", "\"\"")).append('"');
      } else {
        sb.append(v);
      }
    }
    sb.append('\n');
  }
}
