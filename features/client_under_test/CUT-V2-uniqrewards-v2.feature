@cut-v2
Feature: CUT-V2 - The integrator's own system recovers its UNIQREWARDS v2 Request Vouchers calls
  As UNIQREWARDS support, I certify the integrator's system itself, not a test client: the system
  requests vouchers through a recording proxy that loses answers, resets connections, answers errors and limits
  the rate as a real network and a busy API do, and only what the system sent and reported decides.
  Every issuance is invoiced, so a retry must never issue twice.

  Bounds the system must keep: at most 10 Request Vouchers calls for one logical issuance; every retry at
  least 0.2 s after the previous answer (or lost connection); after a 429 (or a 409 in progress)
  no sooner than Retry-After. Ten attempts with a back-off cover well over the seconds a UAT hiccup
  lasts; more is a loop against an ailing API. Timings are measured with 0.05 s of slack.

  @CUT-V2-RECOVER @blocker
  Scenario: A lost answer is recovered with the same X-Correlation-Id and the same request
    Given the answer to the system's first issuance is lost after the provider issued it
    When the system issues 2 vouchers of a fixed-value product
    Then the system resent the same request under the same X-Correlation-Id and reported the vouchers first issued

  @CUT-V2-RECOVER @blocker
  Scenario: An ERV1102 server error after issuing is recovered with the same X-Correlation-Id and the same request
    Given the system's first issuance is answered with an ERV1102 server error after the provider issued it
    When the system issues 2 vouchers of a fixed-value product
    Then the system resent the same request under the same X-Correlation-Id and reported the vouchers first issued

  @CUT-V2-RECOVER @critical
  Scenario: A connection reset before the provider saw the issuance is recovered
    Given the connection of the system's first issuance is reset before it reaches the provider
    When the system issues 1 voucher of a fixed-value product
    Then the system resent the same request under the same X-Correlation-Id and reported the vouchers first issued

  @CUT-V2-KEY @blocker
  Scenario: Each issuance has a correlation id of its own, kept on its retries
    Given the system's first issuance is answered with an ERV1102 server error after the provider issued it
    When the system issues 1 voucher of a fixed-value product
    And the system issues 1 voucher of a fixed-value product again
    Then each issuance carried one correlation id of its own on all its attempts

  @CUT-V2-WAIT @critical
  Scenario: A rate limit is waited out
    Given the system's first issuance is refused as rate limited, to retry after 1 second
    When the system issues 1 voucher of a fixed-value product
    Then the system waited as long as it was told before sending again

  @CUT-V2-BOUND @critical
  Scenario: An issuance failing every time is retried a bounded number of times, spaced out
    Given every issuance of the system is answered with an ERV1102 server error after the provider issued it
    When the system issues 1 voucher of a fixed-value product
    Then the system retried a bounded number of times, spaced out, and claimed no vouchers

  @CUT-V2-TOKEN @critical
  Scenario: A token refused before its time is renewed
    Given the system's first issuance is refused because its token expired early
    When the system issues 1 voucher of a fixed-value product
    Then the system renewed its token and obtained the vouchers with the new one

  @CUT-V2-LIMITS @critical
  Scenario: A large dynamic-value order is split into requests of at most 20 vouchers, in dollars
    When the system issues 25 vouchers of a dynamic value-based product at 61.72 dollars
    Then every request kept to the API's limits and unit, and the system reported every voucher issued

  @CUT-V2-INVALID @normal
  Scenario: A request refused as invalid is not resent unchanged
    When the system issues 1 voucher of a product the catalogue file does not list
    Then the system did not resend the refused request unchanged and claimed no vouchers
