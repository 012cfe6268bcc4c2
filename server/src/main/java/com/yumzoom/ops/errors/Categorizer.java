package com.yumzoom.ops.errors;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Assigns a {@link Category} from exception types and messages.
 *
 * <p>Design: an ordered list of rules, each a regex over the simple type name and one over the
 * message; the first rule that matches wins. The order encodes precedence where faults overlap: a
 * {@code SocketTimeoutException} is a timeout before it is a network error, a {@code 403} is an
 * authorization problem before anything else, running out of memory trumps everything. The chain is
 * examined from the root cause outwards, since wrappers ({@code RuntimeException}, {@code
 * ServletException}) say little; the first exception with a category decides.
 */
public final class Categorizer {

  private record Rule(Category category, Pattern type, Pattern message) {}

  private static Rule rule(Category category, String type, String message) {
    return new Rule(
        category,
        type == null ? null : Pattern.compile(type, Pattern.CASE_INSENSITIVE),
        message == null ? null : Pattern.compile(message, Pattern.CASE_INSENSITIVE));
  }

  private static final List<Rule> RULES =
      List.of(
          rule(
              Category.OUT_OF_MEMORY,
              "OutOfMemory|MemoryError",
              "out of memory|heap out of memory|java heap space|metaspace|gc overhead limit"
                  + "|cannot allocate memory|allocation failed"),
          rule(
              Category.TIMEOUT,
              "Timeout|TimedOut|DeadlineExceeded",
              "timed? ?out|timeout|deadline exceeded|ETIMEDOUT|ESOCKETTIMEDOUT"
                  + "|statement cancel(l)?ed|lock wait timeout"),
          rule(
              Category.RATE_LIMIT,
              "RateLimit|Throttl|TooManyRequests|RequestNotPermitted|QuotaExceeded",
              "rate.?limit|too many requests|\\b429\\b|throttl|quota exceeded"),
          rule(
              Category.AUTHORIZATION,
              "AccessDenied|Forbidden|PermissionDenied|NotAuthorized|Authorization"
                  + "|InsufficientScope|^PermissionError$",
              "access denied|forbidden|\\b403\\b|permission denied|not authori[sz]ed"
                  + "|insufficient (privileges|permissions|scope)|not allowed to"),
          rule(
              Category.AUTHENTICATION,
              "Authentication|Unauthenticated|Unauthorized|BadCredentials|InvalidToken|"
                  + "TokenExpired|ExpiredJwt|JwtException|LoginFailed|InvalidSignature",
              "unauthori[sz]ed|\\b401\\b|authentication (failed|required)|invalid (credentials"
                  + "|password|token|api key)|(token|jwt|session) (has )?expired|not authenticated"
                  + "|login failed"),
          rule(
              Category.NULL_REFERENCE,
              "NullPointer|NullReference",
              "cannot read propert(y|ies) of (undefined|null)|is (undefined|null)\\b"
                  + "|'NoneType' object|null pointer|undefined is not an object|because \"?[\\w.]+"
                  + "\"? is null|of null \\(reading|is not a function"),
          rule(
              Category.DATABASE,
              "SQL|DataAccess|JDBC|Hibernate|Persistence|Transaction|Deadlock"
                  + "|OptimisticLock|IntegrityError|OperationalError|DatabaseError"
                  + "|ProgrammingError|psycopg|Mongo|Redis|Duckdb|QueryFailed|Sequelize|Prisma",
              "\\bsql\\b|deadlock|duplicate key|unique constraint|foreign key|relation \"?[\\w.]+"
                  + "\"? does not exist|syntax error at or near|could not execute statement"
                  + "|connection pool|too many connections|database|ORA-\\d+|SQLSTATE"),
          rule(
              Category.CONFIGURATION,
              "Config|BeanCreation|NoSuchBean|BeanDefinition|ImproperlyConfigured"
                  + "|MissingEnv|PropertyNotFound|MissingResource|ClassNotFound|NoClassDefFound"
                  + "|ModuleNotFound|ImportError|UnsatisfiedDependency",
              "not configured|missing (required )?(configuration|config|property|setting"
                  + "|environment variable|env var)|environment variable|misconfigur"
                  + "|cannot find module|no module named|could not resolve placeholder"),
          rule(
              Category.NOT_FOUND,
              "NotFound|NoSuchElement|NoSuchKey|NoResult|DoesNotExist|NoSuchFile"
                  + "|EntityNotFound|^KeyError$|^LookupError$|^IndexError$",
              "not found|\\b404\\b|does not exist|no such (file|key|element|entity)|ENOENT"
                  + "|no value present|unknown (id|user|order)"),
          rule(
              Category.NETWORK,
              "Connect|Socket|UnknownHost|NoRouteToHost|Network|HttpHost|SSL|TLS|Channel"
                  + "Closed|ClosedChannel|BrokenPipe|FetchError|AxiosError|ProtocolError"
                  + "|ClosedSession|UnprocessedRequest",
              "connection (refused|reset|closed|aborted)|ECONNREFUSED|ECONNRESET|EPIPE|EHOSTUNREACH"
                  + "|ENOTFOUND|EAI_AGAIN|broken pipe|network (is )?unreachable|failed to fetch|networkerror"
                  + "|name or service not known|no route to host|ssl handshake|socket hang up"),
          rule(
              Category.VALIDATION,
              "IllegalArgument|Validation|Invalid|ConstraintViolation|MethodArgumentNotValid"
                  + "|NumberFormat|DateTimeParse|BindException|MismatchedInput|JsonParse"
                  + "|^ValueError$|SyntaxError|BadRequest|UnprocessableEntity"
                  + "|Schema",
              "invalid|must (not )?be|is required|must not be (null|empty|blank)|malformed"
                  + "|validation failed|bad request|\\b400\\b|\\b422\\b|unexpected token"
                  + "|out of range|expected .* but (got|was)"));

  private Categorizer() {}

  /** The category of a parsed chain, root cause first. */
  public static Category categorize(ParsedStackTrace trace) {
    List<ExceptionRecord> chain = trace.chain();
    for (int i = chain.size() - 1; i >= 0; i--) {
      Category c = categorize(chain.get(i).type(), chain.get(i).message());
      if (c != Category.UNKNOWN) {
        return c;
      }
    }
    return Category.UNKNOWN;
  }

  /** The category of one exception from its type (simple or qualified) and message. */
  public static Category categorize(String type, String message) {
    String qualified = type == null ? "" : type;
    if (qualified.startsWith("org.hibernate.")) {
      // Hibernate's ConstraintViolationException is a database error, Bean Validation's is not.
      return Category.DATABASE;
    }
    String simple = simpleName(qualified);
    String msg = message == null ? "" : message;
    if (msg.length() > MessageNormalizer.MAX_INPUT) {
      msg = msg.substring(0, MessageNormalizer.MAX_INPUT);
    }
    // Types are more reliable than messages: a type match anywhere in the list beats a message
    // match, except that the precedence order still holds among types.
    for (Rule r : RULES) {
      if (r.type() != null && r.type().matcher(simple).find()) {
        return r.category();
      }
    }
    for (Rule r : RULES) {
      if (r.message() != null && r.message().matcher(msg).find()) {
        return r.category();
      }
    }
    return Category.UNKNOWN;
  }

  private static String simpleName(String type) {
    int cut = Math.max(type.lastIndexOf('.'), type.lastIndexOf('$'));
    return cut >= 0 && cut < type.length() - 1 ? type.substring(cut + 1) : type;
  }
}
