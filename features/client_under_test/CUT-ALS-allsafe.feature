@cut-allsafe
Feature: CUT-ALS - The integrator's own system handles AllSafe allocations safely
  As the provider's support, I certify the integrator's system itself: it allocates through a recording
  proxy that loses answers, resets connections and answers errors. AllSafe has no idempotency key, so
  an allocation whose outcome is unknown must never be sent again (a second voucher could be handed
  out): the system flags it for reconciliation instead (exit status 2). A documented refusal (491, 492,
  495, 496) cannot succeed when repeated, and a 401 cannot be fixed by retrying: the system reports it
  (exit status 1) and stops.

  @CUT-ALS-ALLOC @blocker
  Scenario: One voucher is allocated with one request and reported
    When the system allocates a voucher of a type with vouchers left
    Then the system allocated once and reported the voucher it was given

  @CUT-ALS-UNKNOWN @blocker
  Scenario Outline: An allocation whose outcome is unknown is never resent (<what>)
    Given <what>
    When the system allocates a voucher of a type with vouchers left
    Then the system did not resend the allocation and flagged it for reconciliation

    Examples:
      | what                                                                     |
      | the answer to the system's allocation is lost after AllSafe allocated it |
      | the system's allocation is answered with a server error after AllSafe allocated it |
      | the connection of the system's allocation is reset                       |

  @CUT-ALS-REFUSAL @critical
  Scenario Outline: A documented refusal is not retried (<refusal>)
    When the system allocates a voucher that AllSafe refuses with <refusal>
    Then the system did not retry the refused allocation and reported the refusal

    Examples:
      | refusal                                  |
      | no vouchers for that vendor and value    |
      | a validation failure                     |
      | an invalid vendor                        |
      | no vault linked to the campaign          |

  @CUT-ALS-AUTH @critical
  Scenario: An authentication failure stops the system
    Given every request of the system is refused as unauthorised
    When the system allocates a voucher of a type with vouchers left
    Then the system sent nothing after the authentication failure and reported it
